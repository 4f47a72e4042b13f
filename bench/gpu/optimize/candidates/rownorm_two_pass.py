import torch
import torch.nn as nn
import triton
import triton.language as tl

BLOCK = 512  # akg:tune [512, 2048]


@triton.jit
def rms_kernel(x_ptr, y_ptr, cols, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    base = row.to(tl.int64) * cols
    offsets = tl.arange(0, BLOCK)
    squares = tl.zeros([BLOCK], tl.float32)
    for start in range(0, cols, BLOCK):
        x = tl.load(x_ptr + base + start + offsets, mask=start + offsets < cols, other=0.0)
        squares += x * x
    scale = 1.0 / tl.sqrt(tl.sum(squares, axis=0) / cols + 1e-6)
    for start in range(0, cols, BLOCK):
        mask = start + offsets < cols
        x = tl.load(x_ptr + base + start + offsets, mask=mask, other=0.0)
        tl.store(y_ptr + base + start + offsets, x * scale, mask=mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        y = torch.empty_like(x)
        rows, cols = x.shape
        rms_kernel[(rows,)](x, y, cols, BLOCK=BLOCK, num_warps=4)
        return y
