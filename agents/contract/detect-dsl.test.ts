import { describe, expect, it } from 'vitest'
import { detectDsl } from './registry.ts'

const triton = `import torch\nimport triton\nimport triton.language as tl\n\n@triton.jit\ndef relu_kernel(x_ptr, y_ptr, n, BLOCK: tl.constexpr):\n    pid = tl.program_id(0)\n    offs = pid * BLOCK + tl.arange(0, BLOCK)\n    x = tl.load(x_ptr + offs, mask=offs < n)\n    tl.store(y_ptr + offs, tl.maximum(x, 0), mask=offs < n)\n`
const cuda = `from torch.utils.cpp_extension import load_inline\nsource = """\n__global__ void relu(const float* x, float* y, int n) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) y[i] = fmaxf(x[i], 0.f);\n}\ntorch::Tensor run(torch::Tensor x) { relu<<<(n + 255) / 256, 256>>>(...); }\n"""\nmodule = load_inline(name="relu", cpp_sources=cpp, cuda_sources=source, functions=["run"])\n`
const cpp = `from torch.utils.cpp_extension import load_inline\nsource = """\n#include <torch/extension.h>\ntorch::Tensor relu(torch::Tensor x) {\n  auto y = torch::empty_like(x);\n  #pragma omp parallel for\n  for (int64_t i = 0; i < x.numel(); ++i) y[i] = x[i] > 0 ? x[i] : 0;\n  return y;\n}\n"""\nmodule = load_inline(name="relu", cpp_sources=source, functions=["relu"], extra_cflags=["-fopenmp"])\n`
const tilelang = `import tilelang\nimport tilelang.language as T\n\ndef matmul(M, N, K):\n    @T.prim_func\n    def main(A: T.Tensor((M, K), "float16")):\n        with T.Kernel(T.ceildiv(N, 128), T.ceildiv(M, 128), threads=128) as (bx, by):\n            A_shared = T.alloc_shared((128, 32), "float16")\n`
const torchOnly = `import torch\nclass ModelNew(torch.nn.Module):\n    def forward(self, x):\n        return torch.relu(x)\n`

describe('detecting the DSL of a kernel file', () => {
  it('names Triton, CUDA C++, C++ and TileLang kernels, with the evidence', () => {
    expect(detectDsl(triton)).toMatchObject({ dsl: 'triton' })
    expect(detectDsl(triton).evidence).toContain('@triton.jit kernel')
    expect(detectDsl(cuda).dsl).toBe('cuda_c')
    expect(detectDsl(cpp).dsl).toBe('cpp')
    expect(detectDsl(tilelang).dsl).toBe('tilelang')
  })

  it('does not call a CUDA extension C++ because it also has C++ host code', () => {
    expect(detectDsl(cuda).alsoSeen).not.toContain('cpp')
  })

  it('finds no DSL in plain PyTorch rather than guessing', () => {
    expect(detectDsl(torchOnly)).toEqual({ dsl: null, evidence: [], alsoSeen: [] })
  })

  it('takes a .cu file name as CUDA evidence', () => {
    expect(detectDsl('int main() {}', '/kernels/relu.cu')).toEqual({ dsl: 'cuda_c', evidence: ['relu.cu is a .cu file'], alsoSeen: [] })
  })
})
