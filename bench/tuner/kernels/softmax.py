"""Reduction: row softmax of an 8192 x 8192 fp32 matrix, online (max and rescaled sum) in chunks of BLOCK_SIZE."""

import torch
import triton
import triton.language as tl

BLOCK_SIZE = 2048  # akg:tune [256, 512, 1024, 2048, 4096, 8192]
NUM_WARPS = 8  # akg:tune [1, 2, 4, 8, 16]
NUM_STAGES = 1  # akg:tune [1, 2]

ROWS = 8192
COLS = 8192


@triton.jit
def softmax_kernel(x_ptr, y_ptr, n_cols, BLOCK_SIZE: tl.constexpr):
    row = tl.program_id(0)
    offsets = tl.arange(0, BLOCK_SIZE)
    running_max = tl.full([BLOCK_SIZE], float("-inf"), tl.float32)
    running_sum = tl.zeros([BLOCK_SIZE], tl.float32)
    for start in range(0, n_cols, BLOCK_SIZE):
        mask = start + offsets < n_cols
        x = tl.load(x_ptr + row * n_cols + start + offsets, mask=mask, other=float("-inf"))
        new_max = tl.maximum(running_max, x)
        running_sum = running_sum * tl.exp(running_max - new_max) + tl.where(mask, tl.exp(x - new_max), 0.0)
        running_max = new_max
    row_max = tl.max(running_max, 0)
    total = tl.sum(running_sum * tl.exp(running_max - row_max), 0)
    for start in range(0, n_cols, BLOCK_SIZE):
        mask = start + offsets < n_cols
        x = tl.load(x_ptr + row * n_cols + start + offsets, mask=mask, other=float("-inf"))
        tl.store(y_ptr + row * n_cols + start + offsets, tl.exp(x - row_max) / total, mask=mask)


def make_inputs(device):
    generator = torch.Generator(device=device).manual_seed(0)
    x = torch.randn(ROWS, COLS, device=device, generator=generator)
    return x, torch.empty_like(x)


def reference(inputs):
    return torch.softmax(inputs[0], dim=1)


def output(inputs):
    return inputs[1]


def launch(inputs):
    x, y = inputs
    softmax_kernel[(ROWS,)](x, y, COLS, BLOCK_SIZE=BLOCK_SIZE, num_warps=NUM_WARPS, num_stages=NUM_STAGES)


def autotuned(configs):
    kernel = triton.autotune(
        configs=[
            triton.Config(
                {"BLOCK_SIZE": c["BLOCK_SIZE"]}, num_warps=c["NUM_WARPS"], num_stages=c["NUM_STAGES"]
            )
            for c in configs
        ],
        key=["n_cols"],
    )(triton.jit(softmax_kernel.fn))

    def run(inputs):
        x, y = inputs
        kernel[(ROWS,)](x, y, COLS)

    return kernel, run
