import type { DslPlugin } from '../types.ts'
import { lineOf, rule, stripCComments } from '../types.ts'

const skeleton = `import torch
import torch.nn as nn
from torch.utils.cpp_extension import load_inline

cpp_source = r"""
#include <torch/extension.h>
#include <omp.h>

#ifndef CHUNK
#define CHUNK 4096  // akg:tune [1024, 4096, 16384]
#endif

torch::Tensor relu_forward(torch::Tensor x) {
    TORCH_CHECK(x.device().is_cpu() && x.scalar_type() == torch::kFloat32, "expected a float32 CPU tensor");
    auto xc = x.contiguous();
    auto y = torch::empty_like(xc);
    const float* in = xc.data_ptr<float>();
    float* out = y.data_ptr<float>();
    const int64_t n = xc.numel();
    #pragma omp parallel for schedule(static, CHUNK)
    for (int64_t i = 0; i < n; ++i) out[i] = in[i] > 0.f ? in[i] : 0.f;
    return y;
}
"""

relu_module = load_inline(
    name="relu_cpp",
    cpp_sources=cpp_source,
    functions=["relu_forward"],
    extra_cflags=["-O3", "-fopenmp", "-march=native"],
    extra_ldflags=["-fopenmp"],
    verbose=False,
)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return relu_module.relu_forward(x)
`

export const cpp: DslPlugin = {
  name: 'cpp',
  label: 'C++ (CPU, OpenMP)',
  designHints:
    'Plan for CPU cores and SIMD: the loop nest, which loop is parallel across threads (OpenMP), which is vectorised (contiguous innermost, no dependences), ' +
    'cache blocking for L1/L2, and reductions kept per thread then combined.',
  coderRules: [
    'Write one complete Python module in a single ```python block.',
    'Build the kernel with torch.utils.cpp_extension.load_inline(name=..., cpp_sources=..., functions=[...], extra_cflags=["-O3", "-fopenmp"] at least (add "-march=native" to vectorise for the machine that builds and runs it), extra_ldflags=["-fopenmp"]); no cuda_sources.',
    'Loop over raw data pointers (data_ptr<float>()) in C++ and parallelise with #pragma omp parallel for (or at::parallel_for).',
    "Define `class ModelNew(nn.Module)` with the same __init__ arguments and forward signature as the task's Model; forward calls the extension function.",
    'No torch compute in forward or in C++ (no at::matmul, torch::relu, x.sum()...), no try/except fallback, no Python threads, keep float32 unless the task is not.',
    'Declare what the tuner may change as guarded macros with `// akg:tune [...]` (see "Tuning").',
  ].join('\n'),
  tuning:
    'Declare every value worth searching as a macro guarded by #ifndef, with its candidates in a comment: `#ifndef TILE` / `#define TILE 32  // akg:tune [16, 32, 64]` / `#endif` ' +
    "(the guard lets the tuner's -DTILE=64 win; an unguarded #define silently ignores it). Constraints go in `// akg:constraint TILE * TILE <= 1024`. " +
    'The tuner searches tile sizes, loop order (`#if LOOP_ORDER == 0`), the OpenMP schedule and thread count (`schedule(SCHEDULE, CHUNK) num_threads(NUM_THREADS)` with `#define SCHEDULE static  // akg:tune [static, dynamic, guided]`: values are numbers, true/false or bare words), rebuilding the module per configuration, checks each configuration for correctness before timing it (a failing one is dropped), and the winner is verified again in full as a new candidate. ' +
    'Use the macros wherever the value matters (template arguments, launch dimensions, shared-memory sizes) so one macro moves them together.',
  yourKernels:
    'Your kernels are the functions of a module built with torch.utils.cpp_extension.load_inline (or load), called from forward: the harness wraps every exported function. ' +
    'The knock-out check runs a fresh ModelNew with those calls returning NaN (or skipped when they return nothing) and expects the output to go wrong; ATen compute (at::matmul, torch::relu, ...) in the host function and torch ops in forward count against you in the torch-share check.',
  skeleton,
  optimizeHints: {
    'memory-bound': 'Make one pass over memory: fuse loops, keep the innermost loop contiguous so it vectorises, and use static scheduling with large chunks.',
    'compute-bound':
      'Block loops for L1/L2 (e.g. 64x64 tiles for matmul), keep accumulators in registers, unroll the innermost loop and let -O3 -march=native vectorise.',
    'launch-bound': 'The work is too small to split: lower the thread count (if(n > threshold) on the pragma) and avoid allocations per call.',
    'occupancy-bound': 'Balance work across threads: collapse(2) small outer loops or use dynamic scheduling for uneven rows.',
    unknown: 'Parallelise the outer loop, vectorise the inner one and block for cache.',
  },
  compliance(source) {
    const findings = []
    const code = source.lines.join('\n')
    const native = stripCComments(source.strings.join('\n'))
    if (!/\bload_inline\b|\bcpp_extension\b/.test(code)) {
      findings.push(rule('dsl-cpp', 'The kernel must be C++ built with torch.utils.cpp_extension.load_inline (cpp_sources + functions).'))
    }
    if (!/\bcpp_sources\s*=/.test(code)) {
      findings.push(rule('dsl-cpp', 'load_inline is called without cpp_sources=; put the C++ function there.', lineOf(source.lines, /load_inline/)))
    }
    if (/\bcuda_sources\s*=/.test(code) || /__global__/.test(native)) {
      findings.push(rule('dsl-cpp', 'The cpp DSL runs on the CPU: remove cuda_sources and __global__ kernels and write plain C++ loops.'))
    }
    const functions = /functions\s*=\s*\[([^\]]*)\]/.exec(source.code)?.[1]
    const names = functions ? [...functions.matchAll(/["'](\w+)["']/g)].map((match) => match[1]!) : []
    if (names.length === 0) {
      findings.push(rule('dsl-cpp', 'load_inline needs functions=["name", ...] naming the C++ functions forward calls.', lineOf(source.lines, /load_inline/)))
    } else if (!names.some((name) => source.lines.some((text) => new RegExp(`\\.${name}\\s*\\(`).test(text)))) {
      findings.push(
        rule(
          'dsl-cpp',
          `forward never calls the extension (${names.join(', ')}); call module.${names[0]}(...) from forward.`,
          lineOf(source.lines, /def\s+forward/),
        ),
      )
    }
    if (/#\s*pragma\s+omp\b/.test(native) && !/-fopenmp/.test(source.code)) {
      findings.push(
        rule(
          'dsl-cpp',
          '#pragma omp is used but -fopenmp is not in extra_cflags: the studio\'s harness adds it, but built anywhere else the pragma is ignored and the loop runs on one core; add extra_cflags=["-O3", "-fopenmp"] and extra_ldflags=["-fopenmp"] so the kernel builds the same outside the studio.',
          lineOf(source.lines, /load_inline/),
        ),
      )
    }
    if (!/#\s*pragma\s+omp\b|\bat::parallel_for\b/.test(native)) {
      findings.push(
        rule('dsl-cpp', 'The C++ code is not parallel: add #pragma omp parallel for (with -fopenmp) or at::parallel_for on the outer loop.', null, 'warning'),
      )
    }
    if (
      /\bat::(matmul|mm|bmm|relu|softmax|conv\w*|linear|addmm|sum|mean)\s*\(|\btorch::(matmul|mm|bmm|relu|softmax|conv\w*|linear|addmm|sum|mean)\s*\(|\.(matmul|mm|softmax|relu|sum|mean)\s*\(/.test(
        native,
      )
    ) {
      findings.push(rule('torch-compute', 'The C++ code calls an ATen compute op (matmul, relu, softmax, sum...); write the loops yourself.'))
    }
    return findings
  },
}
