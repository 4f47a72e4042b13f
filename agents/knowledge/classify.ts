import { splitTopLevel } from '../tuner/literals.ts'
import type { OperatorPattern } from './metadata.ts'

/** One pattern found in a task, with the code that shows it. */
export interface OperatorEvidence {
  pattern: OperatorPattern
  /** Short quotes or reasons, such as "nn.Linear" or "matmul followed by elementwise ops". */
  evidence: string[]
}

interface Rule {
  pattern: OperatorPattern
  expression: RegExp
  /** Only look inside forward(): arithmetic in __init__ or shape code is not the task's compute. */
  forwardOnly?: boolean
}

const activations =
  'relu|relu6|leaky_relu|gelu|silu|sigmoid|tanh|elu|selu|celu|softplus|softsign|hardtanh|hardsigmoid|hardswish|mish|logsigmoid|tanhshrink|softshrink|hardshrink|threshold|prelu|rrelu|glu'
const activationModules =
  'ReLU|ReLU6|LeakyReLU|GELU|SiLU|Sigmoid|Tanh|ELU|SELU|CELU|Softplus|Softsign|Hardtanh|Hardsigmoid|Hardswish|Mish|LogSigmoid|Tanhshrink|Softshrink|Hardshrink|Threshold|PReLU|RReLU|GLU'
const pointwise =
  'exp|exp2|expm1|log|log2|log1p|sqrt|rsqrt|abs|neg|clamp|clip|pow|erf|erfc|sin|cos|reciprocal|sign|floor|ceil|round|where|square|lerp|addcmul|addcdiv|maximum|minimum|fmod|remainder|dropout|bias_add|add|sub|mul|div|true_divide|rsub'

/** Ordered from the pattern that dominates a kernel's design to the one that matters least. */
const rules: Rule[] = [
  { pattern: 'attention', expression: /\bscaled_dot_product_attention\b|\bnn\.MultiheadAttention\b|\bflash_attn\w*/g },
  { pattern: 'conv', expression: /\bnn\.(?:Conv|ConvTranspose)[123]d\b|\b(?:F|torch\.nn\.functional|torch)\.conv(?:_transpose)?[123]d\b/g },
  {
    pattern: 'matmul',
    expression:
      /\btorch\.(?:matmul|mm|bmm|addmm|addbmm|baddbmm|einsum|tensordot|inner|outer|chain_matmul)\b|\btorch\.linalg\.(?:matmul|multi_dot)\b|\.(?:matmul|mm|bmm)\(|\bnn\.(?:Linear|Bilinear|LazyLinear)\b|\b(?:F|torch\.nn\.functional)\.(?:linear|bilinear)\b|[\w)\]]\s*@\s*[\w(]/g,
  },
  {
    pattern: 'norm',
    expression:
      /\bnn\.(?:LayerNorm|BatchNorm[123]d|GroupNorm|InstanceNorm[123]d|RMSNorm|LocalResponseNorm)\b|\b(?:F|torch\.nn\.functional)\.(?:layer_norm|batch_norm|group_norm|instance_norm|rms_norm|normalize|local_response_norm)\b/g,
  },
  { pattern: 'softmax', expression: /\b(?:log_)?softmax\b|\bsoftmin\b|\bnn\.(?:Log)?Softmax\b|\bnn\.Softmin\b/g },
  { pattern: 'scan', expression: /\b(?:cumsum|cumprod|cummax|cummin|logcumsumexp)\b/g },
  {
    pattern: 'pooling',
    expression:
      /\bnn\.(?:Max|Avg|AdaptiveAvg|AdaptiveMax|LP|Fractional)Pool[123]d\b|\b(?:F|torch\.nn\.functional)\.(?:max|avg|adaptive_avg|adaptive_max|lp)_pool[123]d\b/g,
  },
  {
    pattern: 'reduction',
    expression:
      /\.(?:sum|mean|prod|var|std|var_mean|std_mean|logsumexp|argmax|argmin|amax|amin|max|min|norm|all|any|count_nonzero|nansum|nanmean|median)\(|\btorch\.linalg\.(?:vector_|matrix_)?norm\b|\b(?:F|torch\.nn\.functional)\.(?:cross_entropy|nll_loss|mse_loss|l1_loss|smooth_l1_loss|huber_loss|kl_div|binary_cross_entropy(?:_with_logits)?|cosine_similarity|cosine_embedding_loss|triplet_margin_loss|hinge_embedding_loss|margin_ranking_loss|pairwise_distance)\b|\bnn\.(?:\w+Loss|CosineSimilarity|PairwiseDistance)\b/g,
  },
  {
    pattern: 'indexing',
    expression: /\b(?:gather|scatter|scatter_add|scatter_reduce|index_select|index_add|take_along_dim|embedding|masked_select|nonzero)\b|\bnn\.Embedding\b/g,
  },
  {
    pattern: 'elementwise',
    expression: new RegExp(
      `\\b(?:torch|F|torch\\.nn\\.functional)\\.(?:${activations}|${pointwise})\\(|\\.(?:${activations}|${pointwise})_?\\(|\\bnn\\.(?:${activationModules}|Dropout\\d?d?)\\b`,
      'g',
    ),
  },
  // Arithmetic between tensors and scalars in forward(): x * self.scale, x + bias, x ** 2, x /= 2.
  { pattern: 'elementwise', expression: /[\w)\]]\s*(?:\*\*|[-+*/])\s*[\w(.]|[\w)\]]\s*(?:\*\*|[-+*/])=/g, forwardOnly: true },
]

/** Patterns whose presence in a task implies another (softmax and norms are row reductions). */
const implied: Partial<Record<OperatorPattern, OperatorPattern[]>> = {
  softmax: ['reduction'],
  norm: ['reduction'],
}

const order: OperatorPattern[] = [
  'attention',
  'grouped-conv',
  'conv',
  'matmul',
  'fused-epilogue',
  'norm',
  'softmax',
  'scan',
  'pooling',
  'reduction',
  'indexing',
  'elementwise',
]

/** How many distinct quotes each pattern keeps as evidence. */
const EVIDENCE_LIMIT = 4

/**
 * Reads a KernelBench-format task (or any PyTorch reference) and says which operator patterns
 * its Model computes, dominant first. It reads the text only; nothing is run. The Model class is
 * read when there is one, so shapes built in get_inputs() do not count.
 */
export function classifyOperators(source: string): OperatorEvidence[] {
  const code = atenAsTorch(stripCommentsAndStrings(modelClass(source)))
  const forward = forwardBody(code)
  const found = new Map<OperatorPattern, Set<string>>()
  const note = (pattern: OperatorPattern, evidence: string) => {
    const set = found.get(pattern) ?? new Set<string>()
    if (set.size < EVIDENCE_LIMIT) set.add(evidence)
    found.set(pattern, set)
  }

  for (const rule of rules) {
    const text = rule.forwardOnly ? forward : code
    for (const match of text.matchAll(rule.expression)) note(rule.pattern, quote(text, match.index ?? 0, match[0]))
  }
  // A convolution with groups > 1 (depthwise when groups = channels) is a per-group stencil: it
  // takes the grouped-conv pattern, and counts as conv only when a dense convolution sits beside it.
  const convolutions = convolutionCalls(code)
  const grouped = convolutions.filter((call) => call.grouped)
  for (const call of grouped) note('grouped-conv', call.quote)
  if (grouped.length > 0 && grouped.length === convolutions.length) found.delete('conv')
  for (const [pattern, consequences] of Object.entries(implied) as Array<[OperatorPattern, OperatorPattern[]]>) {
    if (found.has(pattern)) for (const consequence of consequences) note(consequence, `implied by ${pattern}`)
  }
  const matmulCount = countMatches(code, rules.find((rule) => rule.pattern === 'matmul')!.expression)
  if (!found.has('attention') && found.has('softmax') && matmulCount >= 2) note('attention', 'two matmuls around a softmax')
  const producer = found.has('matmul') ? 'matmul' : found.has('conv') ? 'conv' : found.has('grouped-conv') ? 'grouped convolution' : null
  if (producer) {
    const epilogue = (['elementwise', 'norm', 'pooling', 'reduction', 'softmax'] as const).filter((pattern) => found.has(pattern))
    if (epilogue.length > 0) note('fused-epilogue', `${producer} followed by ${epilogue.join(', ')}`)
  }
  return order.filter((pattern) => found.has(pattern)).map((pattern) => ({ pattern, evidence: [...(found.get(pattern) ?? [])] }))
}

/** The patterns alone, dominant first. */
export function operatorPatternsOf(source: string): OperatorPattern[] {
  return classifyOperators(source).map((entry) => entry.pattern)
}

/** Each convolution constructor or call with its arguments, and whether it sets groups to anything but 1. */
function convolutionCalls(code: string): Array<{ quote: string; grouped: boolean }> {
  const call =
    /\b(?:nn\.(?:Conv|ConvTranspose)[123]d|(?:F|torch\.nn\.functional|torch)\.conv(?:_transpose)?[123]d)\s*\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)/g
  return [...code.matchAll(call)].map((match) => ({
    quote: quote(code, match.index ?? 0, match[0]),
    grouped: /\bgroups\s*=\s*(?!1\b)[\w.(]/.test(match[1] ?? '') || positionalGroups(match[1] ?? ''),
  }))
}

/** groups given by position: the seventh argument of nn.Conv*d, F.conv*d and their transposes (and of aten.conv2d). */
function positionalGroups(argumentsText: string): boolean {
  const positional = splitTopLevel(argumentsText, ',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && !/^\w+\s*=(?!=)/.test(part))
  return positional.length >= 7 && positional[6] !== '1'
}

/** F.* spellings of aten operators; every other aten operator reads as torch.NAME. */
const functionalAten = new Set([
  'linear',
  'bilinear',
  'conv1d',
  'conv2d',
  'conv3d',
  'conv_transpose1d',
  'conv_transpose2d',
  'conv_transpose3d',
  'layer_norm',
  'batch_norm',
  'group_norm',
  'instance_norm',
  'rms_norm',
  'max_pool1d',
  'max_pool2d',
  'max_pool3d',
  'avg_pool1d',
  'avg_pool2d',
  'avg_pool3d',
  'adaptive_avg_pool1d',
  'adaptive_avg_pool2d',
  'adaptive_avg_pool3d',
  'adaptive_max_pool1d',
  'adaptive_max_pool2d',
  'adaptive_max_pool3d',
  'scaled_dot_product_attention',
])

/** An aten operator's name as user code would spell it: in-place and private marks and internal variants dropped. */
function atenName(name: string): string {
  const plain = name.replace(/^_+/, '').replace(/_$/, '')
  if (/^native_batch_norm/.test(plain) || plain === 'batch_norm_no_update') return 'batch_norm'
  if (/^native_(layer|group)_norm$/.test(plain)) return plain.replace(/^native_/, '')
  if (/^scaled_dot_product_\w*attention/.test(plain)) return 'scaled_dot_product_attention'
  if (plain === 'convolution') return 'conv2d'
  return plain.replace(/_with_indices$/, '')
}

/**
 * Graphs captured from a model (and tasks cut from them) call operators as
 * `torch.ops.aten.linear.default(...)`; read them as `F.linear(...)` / `torch.add(...)` so the rules above see them.
 */
function atenAsTorch(code: string): string {
  return code.replace(/\b(?:torch\.ops\.)?aten\.(\w+?)(?:\.(\w+))?\s*\(/g, (_whole, name: string) => {
    const spelled = atenName(name)
    return `${functionalAten.has(spelled) ? 'F' : 'torch'}.${spelled}(`
  })
}

function countMatches(text: string, expression: RegExp): number {
  return [...text.matchAll(expression)].length
}

/** The text of `class Model(...)` up to the next top-level statement; the whole source when there is none. */
function modelClass(source: string): string {
  const lines = source.split(/\r?\n/)
  const start = lines.findIndex((line) => /^class\s+Model\b/.test(line))
  if (start < 0) return source
  let end = start + 1
  while (end < lines.length) {
    const line = lines[end] ?? ''
    if (line.trim() !== '' && !/^\s/.test(line) && !line.trimStart().startsWith('#')) break
    end++
  }
  return lines.slice(start, end).join('\n')
}

function forwardBody(code: string): string {
  const lines = code.split('\n')
  const start = lines.findIndex((line) => /^\s*def\s+forward\s*\(/.test(line))
  if (start < 0) return ''
  const indent = (lines[start] ?? '').search(/\S/)
  let end = start + 1
  while (end < lines.length) {
    const line = lines[end] ?? ''
    if (line.trim() !== '' && line.search(/\S/) <= indent) break
    end++
  }
  return lines.slice(start + 1, end).join('\n')
}

/** Blanks comments and string literals (docstrings say "matrix multiplication" without computing one). */
function stripCommentsAndStrings(code: string): string {
  return code
    .replace(/("""|''')[\s\S]*?\1/g, (text) => text.replace(/[^\n]/g, ' '))
    .replace(/#[^\n]*/g, '')
    .replace(/"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, '""')
}

function quote(text: string, index: number, matched: string): string {
  const lineStart = text.lastIndexOf('\n', index) + 1
  const lineEnd = text.indexOf('\n', index)
  const line = text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).trim()
  return line.length <= 60 ? line : matched.trim()
}
