import torch
import torch.nn as nn
from torch.utils.cpp_extension import load_inline

# Elementwise: the smallest CUDA-C candidate of the build benchmark (tasks/level1/19_ReLU.py).
CUDA_SOURCE = r"""
#include <torch/extension.h>
#include <ATen/cuda/CUDAContext.h>

#define THREADS 256

__global__ void relu_kernel(const float* __restrict__ x, float* __restrict__ out, int64_t n) {
    int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
    if (i < n) {
        float v = x[i];
        out[i] = v > 0.0f ? v : 0.0f;
    }
}

torch::Tensor relu(torch::Tensor x) {
    TORCH_CHECK(x.is_cuda() && x.is_contiguous(), "contiguous CUDA input expected");
    auto out = torch::empty_like(x);
    const int64_t n = x.numel();
    const int64_t blocks = (n + THREADS - 1) / THREADS;
    relu_kernel<<<blocks, THREADS, 0, at::cuda::getCurrentCUDAStream()>>>(
        x.data_ptr<float>(), out.data_ptr<float>(), n);
    return out;
}
"""

relu_ext = load_inline(name="bench_relu_cuda", cpp_sources="torch::Tensor relu(torch::Tensor x);",
                       cuda_sources=CUDA_SOURCE, functions=["relu"],
                       extra_cuda_cflags=["-O3"], extra_cflags=["-O3"])


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return relu_ext.relu(x)
