import torch
import torch.nn as nn
from torch.utils.cpp_extension import load_inline

# Reduction: sum over dim 1 of (B, R, C), keepdim (tasks/level1/47_Sum_reduction_over_a_dimension.py).
# One block per (b, c-tile); threads stride over R, then a shared-memory tree per column.
CUDA_SOURCE = r"""
#include <torch/extension.h>
#include <ATen/cuda/CUDAContext.h>
#include <cuda_runtime.h>

#define COLS 32
#define ROWS 8

__global__ void sum_dim1_kernel(const float* __restrict__ x, float* __restrict__ out,
                                int R, int C) {
    __shared__ float partial[ROWS][COLS + 1];
    const int b = blockIdx.y;
    const int c = blockIdx.x * COLS + threadIdx.x;
    float acc = 0.0f;
    if (c < C) {
        const float* base = x + (int64_t)b * R * C + c;
        for (int r = threadIdx.y; r < R; r += ROWS) {
            acc += base[(int64_t)r * C];
        }
    }
    partial[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    for (int step = ROWS / 2; step > 0; step >>= 1) {
        if (threadIdx.y < step) {
            partial[threadIdx.y][threadIdx.x] += partial[threadIdx.y + step][threadIdx.x];
        }
        __syncthreads();
    }
    if (threadIdx.y == 0 && c < C) {
        out[(int64_t)b * C + c] = partial[0][threadIdx.x];
    }
}

torch::Tensor sum_dim1(torch::Tensor x) {
    TORCH_CHECK(x.is_cuda() && x.is_contiguous() && x.dim() == 3, "contiguous 3-d CUDA input");
    const int B = x.size(0), R = x.size(1), C = x.size(2);
    auto out = torch::empty({B, 1, C}, x.options());
    dim3 block(COLS, ROWS);
    dim3 grid((C + COLS - 1) / COLS, B);
    sum_dim1_kernel<<<grid, block, 0, at::cuda::getCurrentCUDAStream()>>>(
        x.data_ptr<float>(), out.data_ptr<float>(), R, C);
    return out;
}
"""

sum_ext = load_inline(name="bench_sum_cuda", cpp_sources="torch::Tensor sum_dim1(torch::Tensor x);",
                      cuda_sources=CUDA_SOURCE, functions=["sum_dim1"],
                      extra_cuda_cflags=["-O3"], extra_cflags=["-O3"])


class ModelNew(nn.Module):
    def __init__(self, dim):
        super().__init__()
        assert dim == 1, "this kernel reduces dim 1"

    def forward(self, x):
        return sum_ext.sum_dim1(x)
