"""Memory-bound: y = relu(a + b) over 64 Mi fp32 elements (768 MiB moved per call)."""

import torch
import triton
import triton.language as tl

BLOCK_SIZE = 1024  # akg:tune [256, 512, 1024, 2048, 4096, 8192, 16384]
NUM_WARPS = 4  # akg:tune [1, 2, 4, 8, 16]
NUM_STAGES = 1  # akg:tune [1, 2]

N_ELEMENTS = 64 * 1024 * 1024


@triton.jit
def add_relu_kernel(a_ptr, b_ptr, y_ptr, n, BLOCK_SIZE: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)
    mask = offsets < n
    a = tl.load(a_ptr + offsets, mask=mask)
    b = tl.load(b_ptr + offsets, mask=mask)
    tl.store(y_ptr + offsets, tl.maximum(a + b, 0.0), mask=mask)


def make_inputs(device):
    generator = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(N_ELEMENTS, device=device, generator=generator)
    b = torch.randn(N_ELEMENTS, device=device, generator=generator)
    return a, b, torch.empty_like(a)


def reference(inputs):
    a, b, _ = inputs
    return torch.relu(a + b)


def output(inputs):
    return inputs[2]


def launch(inputs):
    a, b, y = inputs
    grid = (triton.cdiv(a.numel(), BLOCK_SIZE),)
    add_relu_kernel[grid](
        a, b, y, a.numel(), BLOCK_SIZE=BLOCK_SIZE, num_warps=NUM_WARPS, num_stages=NUM_STAGES
    )


def autotuned(configs):
    """The same kernel under @triton.autotune over `configs` (dicts of this module's tunables)."""
    kernel = triton.autotune(
        configs=[
            triton.Config(
                {"BLOCK_SIZE": c["BLOCK_SIZE"]}, num_warps=c["NUM_WARPS"], num_stages=c["NUM_STAGES"]
            )
            for c in configs
        ],
        key=["n"],
    )(triton.jit(add_relu_kernel.fn))

    def run(inputs):
        a, b, y = inputs
        kernel[lambda meta: (triton.cdiv(a.numel(), meta["BLOCK_SIZE"]),)](a, b, y, a.numel())

    return kernel, run
