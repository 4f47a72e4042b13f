"""torchvision's ResNet-50 at a serving batch, fp16 (weights random: the timing does not depend on them)."""

import torch

MODULE = "torchvision.models:resnet50"
MODULE_KWARGS = {}
DTYPE = "float16"


def get_inputs():
    return [torch.randn(32, 3, 224, 224)]
