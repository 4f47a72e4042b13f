import type { DslPlugin } from '../types.ts'
import { lineOf, rule, stripCComments } from '../types.ts'

const skeleton = `import torch
import torch.nn as nn
from torch.utils.cpp_extension import load_inline

cuda_source = r"""
#include <torch/extension.h>
#include <ATen/cuda/CUDAContext.h>
#include <cuda_runtime.h>

#ifndef BLOCK
#define BLOCK 256  // akg:tune [128, 256, 512]
#endif

__global__ void relu_kernel(const float* __restrict__ x, float* __restrict__ y, int64_t n) {
    int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = x[i] > 0.f ? x[i] : 0.f;
}

torch::Tensor relu_forward(torch::Tensor x) {
    TORCH_CHECK(x.is_cuda() && x.scalar_type() == torch::kFloat32, "expected a float32 CUDA tensor");
    auto xc = x.contiguous();
    auto y = torch::empty_like(xc);
    int64_t n = xc.numel();
    relu_kernel<<<(n + BLOCK - 1) / BLOCK, BLOCK, 0, at::cuda::getCurrentCUDAStream()>>>(xc.data_ptr<float>(), y.data_ptr<float>(), n);
    return y;
}
"""

cpp_source = "torch::Tensor relu_forward(torch::Tensor x);"

relu_module = load_inline(
    name="relu_cuda",
    cpp_sources=cpp_source,
    cuda_sources=cuda_source,
    functions=["relu_forward"],
    extra_cuda_cflags=["-O3"],
    verbose=False,
)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return relu_module.relu_forward(x)
`

export const cudaC: DslPlugin = {
  name: 'cuda_c',
  label: 'CUDA C++',
  designHints:
    'Map work to a grid of thread blocks: threads per block (multiples of 32), what each thread computes, shared-memory tiles and their reuse, ' +
    'coalesced global access, warp-level reductions (__shfl_down_sync), and vector loads (float4) where alignment allows.',
  coderRules: [
    'Write one complete Python module in a single ```python block.',
    'Build the kernel with torch.utils.cpp_extension.load_inline: cpp_sources with the declaration, cuda_sources with a __global__ kernel and a host function that launches it with <<<grid, block, 0, at::cuda::getCurrentCUDAStream()>>>, functions=[...].',
    "Define `class ModelNew(nn.Module)` with the same __init__ arguments and forward signature as the task's Model; forward calls the extension function.",
    'No torch compute in forward or in the host function (no at::matmul, torch::relu...), no try/except fallback, no new streams or threads, keep float32 unless the task is not.',
    'Check bounds in the kernel; use int64_t indices for large tensors.',
    'Declare what the tuner may change as guarded macros with `// akg:tune [...]` (see "Tuning").',
  ].join('\n'),
  tuning:
    'Declare every value worth searching as a macro guarded by #ifndef, with its candidates in a comment: `#ifndef TILE` / `#define TILE 32  // akg:tune [16, 32, 64]` / `#endif` ' +
    "(the guard lets the tuner's -DTILE=64 win; an unguarded #define silently ignores it). Constraints go in `// akg:constraint TILE * TILE <= 1024`. " +
    'The tuner searches threads per block, tile and unroll sizes, rebuilding the module per configuration, checks each configuration for correctness before timing it (a failing one is dropped), and the winner is verified again in full as a new candidate. ' +
    'Use the macros wherever the value matters (template arguments, launch dimensions, shared-memory sizes) so one macro moves them together.',
  yourKernels:
    'Your kernels are the functions of a module built with torch.utils.cpp_extension.load_inline (or load), called from forward: the harness wraps every exported function. ' +
    'The knock-out check runs a fresh ModelNew with those calls returning NaN (or skipped when they return nothing) and expects the output to go wrong; ATen compute (at::matmul, torch::relu, ...) in the host function and torch ops in forward count against you in the torch-share check.',
  skeleton,
  optimizeHints: {
    'memory-bound':
      'Coalesce accesses, use float4 vector loads, fuse passes, use grid-stride loops, and keep intermediate values in registers or shared memory.',
    'compute-bound':
      'Tile into shared memory with register blocking (each thread computes a small sub-tile), unroll inner loops, and use tensor cores (wmma/mma) when the precision allows.',
    'launch-bound': 'Fuse kernels into one launch and move per-call host work (allocation, checks) out of the hot path.',
    'occupancy-bound': 'Cut registers (__launch_bounds__), size shared memory to fit more blocks per SM, and pick a block size that fills the SMs.',
    unknown: 'Coalesce memory, tile in shared memory and tune the block size.',
  },
  compliance(source) {
    const findings = []
    const code = source.lines.join('\n')
    const kernelSource = stripCComments(source.strings.join('\n'))
    if (!/\bload_inline\b|\bcpp_extension\b/.test(code)) {
      findings.push(rule('dsl-cuda', 'The kernel must be built with torch.utils.cpp_extension.load_inline (cpp_sources + cuda_sources + functions).'))
    }
    if (!/\bcuda_sources\s*=/.test(code)) {
      findings.push(
        rule('dsl-cuda', 'load_inline is called without cuda_sources=; put the __global__ kernel and its launcher there.', lineOf(source.lines, /load_inline/)),
      )
    }
    if (!/__global__\s+[\w\s<>:,*&]*\b\w+\s*\(/.test(kernelSource)) {
      findings.push(rule('dsl-cuda', 'No __global__ kernel is defined in the CUDA source.'))
    }
    if (!/<<<[\s\S]+?>>>\s*\(|cudaLaunchKernel\s*\(/.test(kernelSource)) {
      findings.push(rule('dsl-cuda', 'The CUDA kernel is never launched; launch it from the host function with kernel<<<grid, block, shared, stream>>>(...).'))
    }
    const functions = /functions\s*=\s*\[([^\]]*)\]/.exec(source.code)?.[1]
    const names = functions ? [...functions.matchAll(/["'](\w+)["']/g)].map((match) => match[1]!) : []
    if (names.length > 0 && !names.some((name) => source.lines.some((text) => new RegExp(`\\.${name}\\s*\\(`).test(text)))) {
      findings.push(
        rule(
          'dsl-cuda',
          `forward never calls the extension (${names.join(', ')}); call module.${names[0]}(...) from forward.`,
          lineOf(source.lines, /def\s+forward/),
        ),
      )
    }
    if (/\bat::(matmul|mm|bmm|relu|softmax|conv\w*|linear|addmm)\s*\(|\btorch::(matmul|mm|bmm|relu|softmax|conv\w*|linear|addmm)\s*\(/.test(kernelSource)) {
      findings.push(
        rule('torch-compute', 'The host function calls an ATen compute op (at::/torch:: matmul, relu, softmax...); do that work in your __global__ kernel.'),
      )
    }
    return findings
  },
}
