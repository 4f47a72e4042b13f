import torch
import torch.nn as nn
import triton
import triton.language as tl

BLOCK_R = 128  # akg:tune [128, 512]


@triton.jit
def colsum_kernel(x_ptr, y_ptr, reduce, width, BLOCK_R: tl.constexpr):
    # One program per output element, walking down its column: every load is width*4 bytes apart.
    b = tl.program_id(0)
    j = tl.program_id(1)
    offsets = tl.arange(0, BLOCK_R)
    acc = tl.zeros([BLOCK_R], tl.float32)
    base = b.to(tl.int64) * reduce * width + j
    for start in range(0, reduce, BLOCK_R):
        r = start + offsets
        acc += tl.load(x_ptr + base + r.to(tl.int64) * width, mask=r < reduce, other=0.0)
    tl.store(y_ptr + b.to(tl.int64) * width + j, tl.sum(acc, axis=0))


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        batch, reduce, width = x.shape
        y = torch.empty((batch, width), device=x.device, dtype=x.dtype)
        colsum_kernel[(batch, width)](x, y, reduce, width, BLOCK_R=BLOCK_R, num_warps=4)
        return y
