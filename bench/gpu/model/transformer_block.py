"""One nn.TransformerEncoderLayer (d_model 1024, 16 heads, FFN 4096), fp16, a serving batch of 32x256."""

import torch
import torch.nn as nn

DTYPE = "float16"


def get_model():
    return nn.TransformerEncoderLayer(1024, 16, 4096, dropout=0.0, batch_first=True)


def get_inputs():
    # One shape: the attention block's views carry the batch in their sizes, so a second
    # batch would need its own tasks (extract says so when a model gives several).
    return [torch.randn(32, 256, 1024)]
