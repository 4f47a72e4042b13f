import os

import torch
import torch.nn as nn


class Model(nn.Module):
    """Sum over the middle axis of a (batch, reduce, width) tensor."""

    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sum(x, dim=1)


SMALL = os.environ.get("AKG_BENCH_SMALL") == "1"
batch, reduce, width = (2, 64, 96) if SMALL else (32, 2048, 2048)


def get_inputs():
    return [torch.randn(batch, reduce, width)]


def get_init_inputs():
    return []
