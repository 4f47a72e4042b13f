import torch
import torch.nn as nn
import triton
import triton.language as tl

NUM_WARPS = 8  # akg:tune [4, 8, 16]


@triton.jit
def rms_kernel(x_ptr, y_ptr, cols, BLOCK: tl.constexpr):
    # The row is read once and kept in registers for the scaling.
    row = tl.program_id(0)
    base = row.to(tl.int64) * cols
    offsets = tl.arange(0, BLOCK)
    mask = offsets < cols
    x = tl.load(x_ptr + base + offsets, mask=mask, other=0.0, eviction_policy="evict_first")
    scale = 1.0 / tl.sqrt(tl.sum(x * x, axis=0) / cols + 1e-6)
    tl.store(y_ptr + base + offsets, x * scale, mask=mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        y = torch.empty_like(x)
        rows, cols = x.shape
        rms_kernel[(rows,)](x, y, cols, BLOCK=triton.next_power_of_2(cols), num_warps=NUM_WARPS)
        return y
