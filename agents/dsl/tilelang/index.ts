import type { DslPlugin } from '../types.ts'
import { lineOf, rule } from '../types.ts'

const skeleton = `import torch
import torch.nn as nn
import tilelang
import tilelang.language as T

BLOCK = 256  # akg:tune [128, 256, 512]


def build_relu(n: int, block: int = BLOCK):
    @T.prim_func
    def relu(X: T.Tensor((n,), "float32"), Y: T.Tensor((n,), "float32")):
        with T.Kernel(T.ceildiv(n, block), threads=block) as bx:
            for i in T.Parallel(block):
                index = bx * block + i
                if index < n:
                    Y[index] = T.max(X[index], T.float32(0))

    return tilelang.compile(relu, out_idx=[1])


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self.kernels = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.contiguous().view(-1)
        n = flat.numel()
        if n not in self.kernels:
            self.kernels[n] = build_relu(n)
        return self.kernels[n](flat).view_as(x)
`

export const tilelang: DslPlugin = {
  name: 'tilelang',
  label: 'TileLang',
  designHints:
    'Plan in tiles: the T.Kernel grid and threads, T.alloc_shared / T.alloc_fragment buffers, T.copy between levels, T.gemm for tiled products, ' +
    'T.Pipelined loops with num_stages for overlap, and T.Parallel for elementwise work.',
  coderRules: [
    'Write one complete Python module in a single ```python block.',
    'Define the kernel as a @T.prim_func (or with @tilelang.jit) using `with T.Kernel(...)`, compile it with tilelang.compile(..., out_idx=...) and call the compiled kernel from forward.',
    "Define `class ModelNew(nn.Module)` with the same __init__ arguments and forward signature as the task's Model; cache compiled kernels per shape.",
    'No torch compute in forward, no try/except fallback, no new streams or threads, keep float32 unless the task is not.',
    'Declare what the tuner may change as module constants with `# akg:tune [...]` (see "Tuning").',
  ].join('\n'),
  tuning:
    'Declare every value worth searching (tile sizes, threads, num_stages) as a top-level constant with its candidates in a comment, e.g. `BLOCK_M = 128  # akg:tune [64, 128]`, and build the prim_func from those constants. ' +
    "The tuner rewrites the constants per configuration, checks each configuration for correctness before timing it (a failing one is dropped), and the winner is verified again in full as a new candidate. Do not use TileLang's own autotuner inside forward.",
  yourKernels:
    'Your kernels are the compiled TileLang kernels called from forward; the knock-out check runs a fresh ModelNew with them skipped and expects the output to go wrong, and torch compute in forward counts against you in the torch-share check.',
  skeleton,
  optimizeHints: {
    'memory-bound': 'Copy tiles with T.copy into shared memory once, fuse elementwise work, and widen T.Parallel tiles for vectorised access.',
    'compute-bound': 'Use T.gemm on shared tiles of 64-128, accumulate in a float32 fragment, and pipeline the K loop with T.Pipelined(num_stages=3).',
    'launch-bound': 'Fuse stages into one prim_func and reuse the compiled kernel across calls.',
    'occupancy-bound': 'Shrink shared buffers and fragments, and adjust threads per block.',
    unknown: 'Tile through shared memory and pipeline the reduction loop.',
  },
  compliance(source) {
    const findings = []
    const code = source.lines.join('\n')
    if (!/^\s*import\s+tilelang\b|^\s*from\s+tilelang\b/m.test(code)) {
      findings.push(rule('dsl-tilelang', 'The module does not import tilelang; use `import tilelang` and `import tilelang.language as T`.'))
    }
    if (!/@T\.prim_func\b|@tilelang\.jit\b/.test(code)) {
      findings.push(rule('dsl-tilelang', 'No TileLang kernel is defined; write it as a @T.prim_func (or @tilelang.jit) function.'))
    }
    if (!/\bT\.Kernel\s*\(/.test(code)) {
      findings.push(
        rule(
          'dsl-tilelang',
          'The kernel has no `with T.Kernel(...)` block, so it launches nothing; open one with the grid and threads.',
          lineOf(source.lines, /@T\.prim_func|@tilelang\.jit/),
        ),
      )
    }
    if (!/\btilelang\.(compile|jit)\b/.test(code)) {
      findings.push(
        rule('dsl-tilelang', 'The prim_func is never compiled; build it with tilelang.compile(func, out_idx=[...]) and call the result from forward.'),
      )
    }
    return findings
  },
}
