import os

import torch
import torch.nn as nn


class Model(nn.Module):
    """C = A @ B in half precision."""

    def __init__(self):
        super().__init__()

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.matmul(a, b)


SMALL = os.environ.get("AKG_BENCH_SMALL") == "1"
N = 128 if SMALL else 4096


def get_inputs():
    return [torch.randn(N, N, dtype=torch.float16), torch.randn(N, N, dtype=torch.float16)]


def get_init_inputs():
    return []
