import type { CheckFinding } from '../contract/runs.ts'
import { blockRange } from './python-source.ts'

/** PyTorch calls that do the operator's work; allocation, views and metadata stay allowed. */
const torchCompute =
  /\b(?:torch|F|torch\.nn\.functional|nn\.functional)\.(matmul|mm|bmm|addmm|baddbmm|einsum|linear|conv\w*|relu\w*|leaky_relu|gelu|silu|sigmoid|tanh|softmax|log_softmax|exp|log|sum|mean|amax|amin|max|min|argmax|argmin|prod|cumsum|norm|layer_norm|batch_norm|group_norm|instance_norm|dropout|max_pool\w*|avg_pool\w*|adaptive_\w+|hardtanh|elu|selu|mish|softplus|hardswish|sqrt|rsqrt|pow|clamp|where|dot|outer|tensordot|scaled_dot_product_attention|cross_entropy|mse_loss|nll_loss|var|std|topk|sort)\s*\(/
const tensorMethodCompute = /\.(matmul|mm|bmm|softmax|log_softmax|relu|sigmoid|tanh|sum|mean|amax|var|std|norm|cumsum|exp|clamp)\s*\(/
const matmulOperator = /[\w)\]]\s*@\s*[\w(]/
const layerConstructor =
  /self\.(\w+)\s*=\s*(?:torch\.)?nn\.(Linear|Conv\w+|ConvTranspose\w+|BatchNorm\w+|LayerNorm|GroupNorm|InstanceNorm\w+|MultiheadAttention|Softmax|ReLU|GELU|MaxPool\w+|AvgPool\w+|LSTM|GRU|Embedding|Sequential)\s*\(/g
const concurrency =
  /\b(torch\.cuda\.Stream|torch\.cuda\.stream|torch\.cuda\.graphs?|CUDAGraph|threading|concurrent\.futures|multiprocessing|asyncio|ThreadPoolExecutor)\b/
const timingPatch = /^\s*(?:(?:torch|time|triton|timeit)(?:\.\w+)+\s*=(?!=)|setattr\s*\(\s*(?:torch|time|triton)\b)/
const precisionDowngrade = /\.(half|bfloat16)\s*\(|torch\.(float16|bfloat16|half)\b|allow_tf32\s*=\s*True|set_float32_matmul_precision/
const cudaHalfTypes = /\b(__half|__nv_bfloat16|half2|__float2half|__float2bfloat16)\b/

export interface CheatContext {
  /** Masked lines (strings and comments blanked). */
  lines: string[]
  /** The raw string literals, where CUDA and C++ sources live. */
  strings: string[]
  /** Whether the task works in reduced precision itself, so half types are not a downgrade. */
  taskUsesReducedPrecision: boolean
}

const finding = (rule: string, line: number | null, message: string, severity: 'error' | 'warning' = 'error'): CheckFinding => ({
  rule,
  severity,
  line,
  message,
})

/** The ModelNew.forward block as 0-based [first, last] line indices, or null. */
export function forwardRange(lines: string[]): [number, number] | null {
  const classLine = lines.findIndex((text) => /^class\s+ModelNew\b/.test(text))
  if (classLine < 0) return null
  const [, classEnd] = blockRange(lines, classLine)
  for (let index = classLine + 1; index <= classEnd; index += 1) {
    if (/^\s+def\s+forward\s*\(/.test(lines[index]!)) return blockRange(lines, index)
  }
  return null
}

/** The known ways a candidate looks fast or correct without its kernel doing the work. */
export function findCheats(context: CheatContext): CheckFinding[] {
  const { lines } = context
  const findings: CheckFinding[] = []
  const forward = forwardRange(lines)
  if (forward) {
    const layers = new Map<string, string>()
    for (const text of lines) for (const match of text.matchAll(layerConstructor)) layers.set(match[1]!, match[2]!)
    for (let index = forward[0] + 1; index <= forward[1]; index += 1) {
      const text = lines[index]!
      const line = index + 1
      const compute = torchCompute.exec(text) ?? tensorMethodCompute.exec(text)
      if (compute) {
        findings.push(
          finding(
            'torch-compute',
            line,
            `line ${line}: forward calls PyTorch compute (${compute[0].replace(/\s*\($/, '')}); that work must run in your kernel. Keep only allocation, views and the kernel launch in forward.`,
          ),
        )
      } else if (matmulOperator.test(text) && !/^\s*@/.test(text)) {
        findings.push(finding('torch-compute', line, `line ${line}: forward multiplies tensors with @ (PyTorch matmul); compute the product in your kernel.`))
      }
      for (const [name, layer] of layers) {
        if (new RegExp(`self\\.${name}\\s*\\(`).test(text)) {
          findings.push(
            finding(
              'torch-compute',
              line,
              `line ${line}: forward calls self.${name}, an nn.${layer}; read its weights (self.${name}.weight) and do the computation in your kernel.`,
            ),
          )
        }
      }
      if (/^\s*try\s*:/.test(text)) {
        findings.push(
          finding('fallback', line, `line ${line}: forward has a try/except; a kernel failure must surface, not fall back to PyTorch. Remove the try/except.`),
        )
      }
    }
  }
  lines.forEach((text, index) => {
    const line = index + 1
    if (/^\s+try\s*:/.test(text) && (!forward || index < forward[0] || index > forward[1])) {
      const [, end] = blockRange(lines, index)
      const handler = lines.slice(index, Math.min(lines.length, end + 8)).join('\n')
      if (/\bexcept\b[\s\S]*\b(torch|F)\.\w+\s*\(/.test(handler)) {
        findings.push(
          finding('fallback', line, `line ${line}: a try/except falls back to PyTorch when the kernel fails; remove the fallback so failures surface.`),
        )
      }
    }
    const concurrent = concurrency.exec(text)
    if (concurrent) {
      findings.push(
        finding(
          'concurrency',
          line,
          `line ${line}: ${concurrent[1]} is not allowed: extra streams, graphs or threads hide work from the timer. Launch on the current stream from the calling thread.`,
        ),
      )
    }
    if (timingPatch.test(text)) {
      findings.push(
        finding('timer-patch', line, `line ${line}: assigning to a torch, time or triton attribute patches the harness's clock or synchronisation; remove it.`),
      )
    }
    if (!context.taskUsesReducedPrecision) {
      const downgrade = precisionDowngrade.exec(text)
      if (downgrade) {
        findings.push(
          finding(
            'precision',
            line,
            `line ${line}: ${downgrade[0].trim()} lowers precision but the task is float32; compute in float32 (accumulate in float32 too).`,
          ),
        )
      }
    }
  })
  if (!context.taskUsesReducedPrecision) {
    for (const literal of context.strings) {
      const half = cudaHalfTypes.exec(literal)
      if (half) {
        findings.push(finding('precision', null, `the kernel source uses ${half[1]} but the task is float32; keep loads, math and stores in float.`, 'warning'))
        break
      }
    }
  }
  return findings
}
