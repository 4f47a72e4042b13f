import os

import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    """GELU (erf form) over a large tensor."""

    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(x)


SMALL = os.environ.get("AKG_BENCH_SMALL") == "1"
rows, cols = (16, 1024) if SMALL else (8192, 8192)


def get_inputs():
    return [torch.randn(rows, cols)]


def get_init_inputs():
    return []
