"""One nn.TransformerEncoderLayer (d_model 1024, 16 heads, FFN 4096), fp16, two serving batches."""

import torch
import torch.nn as nn

DTYPE = "float16"


def get_model():
    return nn.TransformerEncoderLayer(1024, 16, 4096, dropout=0.0, batch_first=True)


def get_input_sets():
    return [[torch.randn(8, 256, 1024)], [torch.randn(32, 256, 1024)]]


def get_inputs():
    return get_input_sets()[0]
