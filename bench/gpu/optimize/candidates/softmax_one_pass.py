import torch
import torch.nn as nn
import triton
import triton.language as tl

NUM_WARPS = 16  # akg:tune [8, 16, 32]


@triton.jit
def softmax_kernel(x_ptr, y_ptr, cols, BLOCK: tl.constexpr):
    # The whole row stays in registers: one read and one write of the data.
    row = tl.program_id(0)
    base = row.to(tl.int64) * cols
    offsets = tl.arange(0, BLOCK)
    mask = offsets < cols
    x = tl.load(x_ptr + base + offsets, mask=mask, other=-float("inf"), eviction_policy="evict_first")
    x = x - tl.max(x, axis=0)
    numerator = tl.exp(x)
    tl.store(y_ptr + base + offsets, numerator / tl.sum(numerator, axis=0), mask=mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        y = torch.empty_like(x)
        rows, cols = x.shape
        softmax_kernel[(rows,)](x, y, cols, BLOCK=triton.next_power_of_2(cols), num_warps=NUM_WARPS)
        return y
