import type { DslPlugin } from '../types.ts'
import { lineOf, rule } from '../types.ts'

const skeleton = `import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def relu_kernel(x_ptr, y_ptr, n_elements, BLOCK_SIZE: tl.constexpr):
    pid = tl.program_id(axis=0)
    offsets = pid * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)
    mask = offsets < n_elements
    x = tl.load(x_ptr + offsets, mask=mask)
    tl.store(y_ptr + offsets, tl.maximum(x, 0.0), mask=mask)


BLOCK_SIZE = 1024  # akg:tune [256, 512, 1024, 2048]
NUM_WARPS = 4  # akg:tune [2, 4, 8]


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.contiguous()
        y = torch.empty_like(x)
        n = x.numel()
        grid = (triton.cdiv(n, BLOCK_SIZE),)
        relu_kernel[grid](x, y, n, BLOCK_SIZE=BLOCK_SIZE, num_warps=NUM_WARPS)
        return y
`

export const triton: DslPlugin = {
  name: 'triton',
  label: 'Triton',
  designHints:
    'Think in program instances over blocks: which axes map to tl.program_id, the BLOCK sizes (powers of two), masks for ragged edges, ' +
    'what stays in registers, where tl.dot applies, and whether a reduction fits one block or needs a loop over tiles.',
  coderRules: [
    'Write one complete Python module in a single ```python block.',
    "Define `class ModelNew(nn.Module)` with the same __init__ arguments and forward signature as the task's Model.",
    'Every computation of forward runs in @triton.jit kernels launched as kernel[grid](...); forward only allocates outputs, computes the grid and launches.',
    'No torch compute (torch.matmul, F.*, @, .sum(), ...) in forward, no try/except fallback, no extra streams or threads, keep float32 unless the task is not.',
    'Use masks on every tl.load/tl.store whose block can run past the tensor, and pass strides rather than assuming contiguity (or call .contiguous()).',
    'Declare what the tuner may change as module constants with `# akg:tune [...]` (see "Tuning"); do not use @triton.autotune.',
  ].join('\n'),
  tuning:
    'Declare every value worth searching as a top-level constant with its candidates in a comment, e.g. `BLOCK_M = 128  # akg:tune [64, 128, 256]`, ' +
    '`NUM_WARPS = 4  # akg:tune [4, 8]`, `NUM_STAGES = 3  # akg:tune [2, 3, 4]`, `EVEN_K = True  # akg:tune [True, False]`, and pass them at launch ' +
    '(`kernel[grid](..., BLOCK_M=BLOCK_M, num_warps=NUM_WARPS, num_stages=NUM_STAGES)`). Constraints between them go in `# akg:constraint BLOCK_M * BLOCK_K <= 16384`. ' +
    'The tuner searches those values (numbers, booleans, quoted strings; num_warps, num_stages, maxnreg and num_ctas as launch options), checks each configuration for correctness before timing it ' +
    '(a configuration that fails is dropped, so an unsafe tile cannot win), and the winner is verified again in full as a new candidate. ' +
    'Do not wrap kernels in @triton.autotune: it re-benchmarks inside the timed forward and cannot be pinned; an existing autotune list is only searched one config at a time, and mixing it with akg:tune multiplies the space. The values you write are the starting point, so pick good defaults.',
  yourKernels:
    'Your kernels are the launches of functions decorated with @triton.jit, counted where Triton runs every launch (JITFunction.run): `kernel[grid](...)`, ' +
    'also when the function is wrapped by @triton.autotune or @triton.heuristics or declared @triton.jit(do_not_specialize=...) or with other jit options. ' +
    'The knock-out check runs a fresh ModelNew with every such launch skipped and expects the output to go wrong; torch compute ops in forward (anything but allocation, views and .contiguous()) count against you in the torch-share check.',
  skeleton,
  optimizeHints: {
    'memory-bound':
      'Fuse elementwise work into one pass, vectorise with larger BLOCK_SIZE, avoid re-reading inputs, and use tl.load eviction hints for streaming data.',
    'compute-bound':
      'Use tl.dot on tiles of at least 16x16 (64x64 or 128x128 for large matmuls), accumulate in float32, pipeline with num_stages 3-4 and num_warps 4-8, swizzle program ids for L2 reuse.',
    'launch-bound': 'Launch fewer kernels: fuse stages, process several rows per program, and avoid host-side tensor ops between launches.',
    'occupancy-bound': 'Lower register pressure (smaller tiles, fewer live values), tune num_warps, and make the grid at least a few waves of the SM count.',
    unknown: 'Try larger blocks, fusion of neighbouring operations and a tuned num_warps.',
  },
  compliance(source) {
    const findings = []
    if (!/^\s*import\s+triton\b|^\s*from\s+triton\b/m.test(source.lines.join('\n'))) {
      findings.push(rule('dsl-triton', 'The module does not import triton; write the kernel with `import triton` and `import triton.language as tl`.'))
    }
    const kernels: string[] = []
    source.lines.forEach((text, index) => {
      if (!/^\s*@triton\.jit\b/.test(text)) return
      for (let next = index + 1; next < Math.min(source.lines.length, index + 12); next += 1) {
        const match = /^\s*def\s+(\w+)\s*\(/.exec(source.lines[next]!)
        if (match) {
          kernels.push(match[1]!)
          break
        }
      }
    })
    if (kernels.length === 0) {
      findings.push(rule('dsl-triton', 'No @triton.jit kernel is defined; the computation must be a Triton kernel decorated with @triton.jit.'))
      return findings
    }
    const launched = kernels.some((name) => source.lines.some((text) => new RegExp(`\\b${name}\\s*\\[[^\\]]*\\]\\s*\\(`).test(text)))
    if (!launched) {
      findings.push(
        rule(
          'dsl-triton',
          `The kernel ${kernels.join(', ')} is defined but never launched; call it as ${kernels[0]}[grid](...) from forward.`,
          lineOf(source.lines, /def\s+forward/),
        ),
      )
    }
    return findings
  },
}
