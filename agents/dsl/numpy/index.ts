import type { CheckFinding } from '../../contract/runs.ts'
import type { DslPlugin } from '../types.ts'
import { lineOf, rule } from '../types.ts'

const skeleton = `import numpy as np
import torch
import torch.nn as nn

CHUNK = 65536  # akg:tune [16384, 65536, 262144]


def relu_kernel(x: np.ndarray) -> np.ndarray:
    flat = x.reshape(-1)
    out = np.empty_like(flat)
    for start in range(0, flat.size, CHUNK):
        np.maximum(flat[start:start + CHUNK], 0, out=out[start:start + CHUNK])
    return out.reshape(x.shape)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(relu_kernel(x.detach().contiguous().numpy()))
`

/** PyTorch calls that compute; in this DSL NumPy does every one of them. */
const torchCompute =
  /\b(?:torch|F|torch\.nn\.functional|nn\.functional)\.(matmul|mm|bmm|addmm|baddbmm|einsum|linear|conv\w*|relu\w*|leaky_relu|gelu|silu|sigmoid|tanh|softmax|log_softmax|exp|log|sum|mean|amax|amin|max|min|maximum|minimum|argmax|argmin|prod|cumsum|norm|layer_norm|batch_norm|group_norm|instance_norm|max_pool\w*|avg_pool\w*|adaptive_\w+|hardtanh|elu|selu|softplus|sqrt|rsqrt|pow|clamp|where|abs|add|sub|mul|div|dot|outer|tensordot|scaled_dot_product_attention|var|std|topk|sort)\s*\(/
/** Other ways to run native or accelerated code: not NumPy, so not this DSL. */
const otherEngines = /^\s*(?:import|from)\s+(numba|cupy|jax|tensorflow|ctypes|cffi|cython|numexpr|scipy)\b/m

const indentOf = (text: string): number => /^\s*/.exec(text)![0].length

/** The last line index (0-based) of the block opened at `header`, by indentation. */
function blockEnd(lines: string[], header: number): number {
  const indent = indentOf(lines[header]!)
  let last = header
  for (let index = header + 1; index < lines.length; index += 1) {
    const text = lines[index]!
    if (text.trim() === '') continue
    if (indentOf(text) <= indent) break
    last = index
  }
  return last
}

/** The names NumPy is imported under (`import numpy as np` gives np). */
function numpyAliases(code: string): string[] {
  const aliases = [...code.matchAll(/^\s*import\s+numpy(?:\s+as\s+(\w+))?\s*$/gm)].map((match) => match[1] ?? 'numpy')
  return aliases.length > 0 ? aliases : /^\s*from\s+numpy\b/m.test(code) ? ['numpy'] : []
}

export const numpy: DslPlugin = {
  name: 'numpy',
  label: 'NumPy (CPU)',
  designHints:
    'Plan in whole-array NumPy operations on the CPU: which ufuncs and reductions (np.maximum, np.exp, np.sum(axis=...), np.matmul / @ on arrays) express the operator, ' +
    "how to avoid Python loops over elements (vectorise; loop only over large chunks), where out= and in-place ufuncs save temporaries, and the dtype kept end to end (float32, not NumPy's float64 default).",
  coderRules: [
    'Write one complete Python module in a single ```python block, with `import numpy as np`.',
    'Put the computation in top-level kernel functions that take and return np.ndarray and use only NumPy (np.* ufuncs, reductions, np.matmul or @ on arrays).',
    "Define `class ModelNew(nn.Module)` with the same __init__ arguments and forward signature as the task's Model (keep parameters as torch nn.Parameter with the same names and initialisation).",
    'forward only converts and calls: pass tensors as x.detach().contiguous().numpy() (parameters too), call the kernel functions, and return torch.from_numpy(result); the harness counts NumPy kernels at torch.from_numpy.',
    "No torch compute anywhere (torch.relu, F.*, x.sum(), tensor @ tensor...), no try/except fallback, no threads or other engines (numba, cupy, ctypes...); never write into an input's .numpy() view.",
    "Keep the task's dtype: float32 stays float32 (use dtype=np.float32 or out= on np.empty_like; Python float scalars do not promote float32 arrays, np.float64 arrays do).",
    'Declare what the tuner may change as module constants with `# akg:tune [...]` (see "Tuning").',
  ].join('\n'),
  tuning:
    'Declare every value worth searching as a top-level constant with its candidates in a comment, e.g. `CHUNK = 65536  # akg:tune [16384, 65536, 262144]` for the block of elements or rows processed per NumPy call, ' +
    'or `ROWS = 64  # akg:tune [16, 64, 256]` for a blocked matmul; constraints go in `# akg:constraint ROWS * COLS <= 1048576`. ' +
    'The tuner rewrites the constants per configuration, checks each configuration for correctness before timing it (a failing one is dropped), and the winner is verified again in full as a new candidate.',
  yourKernels:
    'Your kernels are the NumPy computations whose results come back to torch through torch.from_numpy in forward: the harness counts each torch.from_numpy call. ' +
    "The knock-out check runs a fresh ModelNew with every torch.from_numpy returning NaN and expects the output to go wrong; torch compute ops in forward count against you in the torch-share check, and with torch's compute operators blocked the output must still be right.",
  skeleton,
  optimizeHints: {
    'memory-bound':
      'Make one pass over memory: use ufuncs with out= into preallocated arrays, avoid temporaries and copies (no .astype without copy=False, no needless reshape copies), and process large chunks that fit in cache.',
    'compute-bound': "Hand the heavy part to NumPy's BLAS (np.matmul / @ on float32 arrays, np.einsum with optimize=True), keep arrays contiguous and float32.",
    'launch-bound': 'Too little work per call: fold Python loops into one vectorised expression and drop per-call allocations (reuse buffers).',
    'occupancy-bound': 'Give BLAS big contiguous operands (batch small matmuls into one np.matmul on 3-D arrays) instead of many small calls.',
    unknown: 'Vectorise Python loops into whole-array ufuncs, keep float32, and use out= to avoid temporaries.',
  },
  compliance(source) {
    const findings: CheckFinding[] = []
    const lines = source.lines
    const code = lines.join('\n')
    const aliases = numpyAliases(code)
    if (aliases.length === 0) {
      findings.push(rule('dsl-numpy', 'The module does not import numpy; write the kernel with `import numpy as np`.'))
    }
    const engine = otherEngines.exec(code)
    if (engine) {
      findings.push(
        rule(
          'dsl-numpy',
          `${engine[1]} is not NumPy: in the numpy DSL the kernel is NumPy code run by the CPython interpreter; remove the ${engine[1]} import.`,
          lineOf(lines, otherEngines),
        ),
      )
    }
    const classLine = lines.findIndex((text) => /^class\s+ModelNew\b/.test(text))
    const forwardLine = classLine < 0 ? -1 : lines.findIndex((text, index) => index > classLine && /^\s+def\s+forward\s*\(/.test(text))
    const forward: [number, number] | null = forwardLine < 0 ? null : [forwardLine, blockEnd(lines, forwardLine)]
    const inForward = (index: number) => forward !== null && index >= forward[0] && index <= forward[1]
    const forwardText = forward ? lines.slice(forward[0], forward[1] + 1).join('\n') : ''

    // Kernels: top-level functions whose body calls NumPy.
    const usesNumpy = new RegExp(`\\b(?:${(aliases.length > 0 ? aliases : ['np', 'numpy']).join('|')})\\.\\w+`)
    const kernels: string[] = []
    lines.forEach((text, index) => {
      const match = /^def\s+(\w+)\s*\(/.exec(text)
      if (match && usesNumpy.test(lines.slice(index + 1, blockEnd(lines, index) + 1).join('\n'))) kernels.push(match[1]!)
    })
    if (kernels.length === 0) {
      findings.push(
        rule(
          'dsl-numpy',
          'No NumPy kernel is defined: put the computation in a top-level function that takes and returns np.ndarray and computes with NumPy (np.maximum, np.matmul, ...), and call it from forward.',
        ),
      )
    } else if (forward && !kernels.some((name) => new RegExp(`\\b${name}\\s*\\(`).test(forwardText))) {
      findings.push(
        rule(
          'dsl-numpy',
          `The NumPy kernel ${kernels.join(', ')} is defined but forward never calls it; call ${kernels[0]}(x.detach().contiguous().numpy()) from forward.`,
          forwardLine + 1,
        ),
      )
    }
    if (!/\.numpy\s*\(\s*\)/.test(code)) {
      findings.push(
        rule(
          'dsl-numpy',
          'No tensor is handed to NumPy: pass the inputs as x.detach().contiguous().numpy() (and parameters as self.weight.detach().numpy()).',
          forward ? forwardLine + 1 : null,
        ),
      )
    }
    if (!/\btorch\.from_numpy\s*\(/.test(code)) {
      findings.push(
        rule(
          'dsl-numpy',
          "Return the NumPy result with torch.from_numpy(result): the harness counts NumPy kernels there (torch.tensor and torch.as_tensor are not counted, and a result written into a tensor's .numpy() view is not either).",
          forward ? forwardLine + 1 : null,
        ),
      )
    }
    // forward is checked by the shared cheat rules; the kernels and helpers are checked here.
    lines.forEach((text, index) => {
      if (inForward(index)) return
      const compute = torchCompute.exec(text)
      if (compute) {
        const call = compute[0].replace(/\s*\($/, '')
        findings.push(
          rule(
            'torch-compute',
            `line ${index + 1}: ${call} is PyTorch compute; in the numpy DSL NumPy does the work (np.${compute[1]} or its NumPy equivalent on arrays).`,
            index + 1,
          ),
        )
      }
    })
    const device = lineOf(lines, /\.cuda\s*\(|device\s*=\s*["']cuda|\.to\s*\(\s*["']cuda/)
    if (device !== null) {
      findings.push(rule('dsl-numpy', `line ${device}: the numpy DSL runs on the CPU; remove the CUDA device use.`, device))
    }
    const double = lineOf(lines, /\bnp\.(float64|double)\b|astype\s*\(\s*(float|np\.float_)\s*[,)]|dtype\s*=\s*float\b/)
    if (double !== null) {
      findings.push(
        rule(
          'precision',
          `line ${double}: float64 in a float32 task doubles the memory traffic and changes the output dtype; keep arrays float32 unless the task is float64.`,
          double,
          'warning',
        ),
      )
    }
    return findings
  },
}
