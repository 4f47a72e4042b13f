import torch
import torch.nn as nn
from torch.utils.cpp_extension import load_inline

CUDA_SOURCE = r"""
#include <ATen/cuda/CUDAContext.h>

__global__ void add_kernel(const float* a, const float* b, float* out, int64_t n) {
    int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
    if (i < n) {
        out[i] = a[i] + b[i];
    }
}

torch::Tensor add(torch::Tensor a, torch::Tensor b) {
    auto out = torch::empty_like(a);
    const int64_t n = a.numel();
    const int threads = 256;
    const int64_t blocks = (n + threads - 1) / threads;
    cudaStream_t stream = at::cuda::getCurrentCUDAStream();
    add_kernel<<<blocks, threads, 0, stream>>>(a.data_ptr<float>(), b.data_ptr<float>(),
                                                out.data_ptr<float>(), n);
    return out;
}
"""

add_ext = load_inline(name="bench_cuda_add",
                      cpp_sources="torch::Tensor add(torch::Tensor a, torch::Tensor b);",
                      cuda_sources=CUDA_SOURCE, functions=["add"])


class ModelNew(nn.Module):
    def forward(self, a, b):
        return add_ext.add(a, b)
