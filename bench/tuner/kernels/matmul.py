"""Compute-bound: C = A @ B in fp16 with fp32 accumulation, 4096 x 4096 x 4096 (137 GFLOP per call)."""

import torch
import triton
import triton.language as tl

BLOCK_M = 128  # akg:tune [64, 128, 256]
BLOCK_N = 128  # akg:tune [64, 128, 256]
BLOCK_K = 64  # akg:tune [32, 64]
NUM_WARPS = 4  # akg:tune [4, 8]
NUM_STAGES = 3  # akg:tune [3, 4]
GROUP_M = 8

SIZE = 4096


@triton.jit
def matmul_kernel(
    a_ptr,
    b_ptr,
    c_ptr,
    M,
    N,
    K,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_K: tl.constexpr,
    GROUP_M: tl.constexpr,
):
    # Grouped ordering of the output tiles so that neighbouring programs share rows of A in L2.
    pid = tl.program_id(0)
    grid_m = tl.cdiv(M, BLOCK_M)
    grid_n = tl.cdiv(N, BLOCK_N)
    width = GROUP_M * grid_n
    group = pid // width
    first_m = group * GROUP_M
    group_size = min(grid_m - first_m, GROUP_M)
    pid_m = first_m + (pid % group_size)
    pid_n = (pid % width) // group_size
    offs_m = (pid_m * BLOCK_M + tl.arange(0, BLOCK_M)) % M
    offs_n = (pid_n * BLOCK_N + tl.arange(0, BLOCK_N)) % N
    offs_k = tl.arange(0, BLOCK_K)
    a_ptrs = a_ptr + offs_m[:, None] * K + offs_k[None, :]
    b_ptrs = b_ptr + offs_k[:, None] * N + offs_n[None, :]
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k in range(0, tl.cdiv(K, BLOCK_K)):
        a = tl.load(a_ptrs, mask=offs_k[None, :] < K - k * BLOCK_K, other=0.0)
        b = tl.load(b_ptrs, mask=offs_k[:, None] < K - k * BLOCK_K, other=0.0)
        acc = tl.dot(a, b, acc)
        a_ptrs += BLOCK_K
        b_ptrs += BLOCK_K * N
    rows = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    tl.store(
        c_ptr + rows[:, None] * N + cols[None, :],
        acc.to(tl.float16),
        mask=(rows[:, None] < M) & (cols[None, :] < N),
    )


def make_inputs(device):
    generator = torch.Generator(device=device).manual_seed(0)
    a = (torch.randn(SIZE, SIZE, device=device, generator=generator) * 0.1).half()
    b = (torch.randn(SIZE, SIZE, device=device, generator=generator) * 0.1).half()
    return a, b, torch.empty(SIZE, SIZE, device=device, dtype=torch.float16)


def reference(inputs):
    a, b, _ = inputs
    return a @ b


def output(inputs):
    return inputs[2]


def grid(meta):
    return (triton.cdiv(SIZE, meta["BLOCK_M"]) * triton.cdiv(SIZE, meta["BLOCK_N"]),)


def launch(inputs):
    a, b, c = inputs
    matmul_kernel[grid({"BLOCK_M": BLOCK_M, "BLOCK_N": BLOCK_N})](
        a,
        b,
        c,
        SIZE,
        SIZE,
        SIZE,
        BLOCK_M=BLOCK_M,
        BLOCK_N=BLOCK_N,
        BLOCK_K=BLOCK_K,
        GROUP_M=GROUP_M,
        num_warps=NUM_WARPS,
        num_stages=NUM_STAGES,
    )


def autotuned(configs):
    kernel = triton.autotune(
        configs=[
            triton.Config(
                {"BLOCK_M": c["BLOCK_M"], "BLOCK_N": c["BLOCK_N"], "BLOCK_K": c["BLOCK_K"]},
                num_warps=c["NUM_WARPS"],
                num_stages=c["NUM_STAGES"],
            )
            for c in configs
        ],
        key=["M", "N", "K"],
    )(triton.jit(matmul_kernel.fn))

    def run(inputs):
        a, b, c = inputs
        kernel[grid](a, b, c, SIZE, SIZE, SIZE, GROUP_M=GROUP_M)

    return kernel, run
