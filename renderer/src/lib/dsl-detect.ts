import type { Dsl } from '../../../agents/contract/index.ts'

/** What the detector found: the DSL with the most evidence, and the evidence itself to show the user. */
export interface DslDetection {
  dsl: Dsl | null
  evidence: string[]
  /** Other DSLs with some evidence too (a Triton kernel beside a CUDA one, say). */
  alsoSeen: Dsl[]
}

interface Rule {
  dsl: Dsl
  pattern: RegExp
  weight: number
  evidence: string
}

/** Signatures a kernel file of each DSL cannot avoid; weights favour the unambiguous ones. */
const RULES: Rule[] = [
  { dsl: 'triton', pattern: /^\s*import\s+triton\b|^\s*from\s+triton\b/m, weight: 2, evidence: 'imports triton' },
  { dsl: 'triton', pattern: /@triton\.(jit|autotune)/, weight: 4, evidence: '@triton.jit kernel' },
  { dsl: 'triton', pattern: /\btl\.(load|store|program_id|dot|arange)\(/, weight: 2, evidence: 'triton.language calls (tl.load, tl.program_id, ...)' },
  { dsl: 'tilelang', pattern: /^\s*import\s+tilelang\b|^\s*from\s+tilelang\b/m, weight: 3, evidence: 'imports tilelang' },
  { dsl: 'tilelang', pattern: /\bT\.(Kernel|prim_func|alloc_shared|Pipelined|gemm)\b/, weight: 4, evidence: 'TileLang primitives (T.Kernel, T.alloc_shared, ...)' },
  { dsl: 'cuda_c', pattern: /__global__\s+void/, weight: 4, evidence: '__global__ CUDA kernel' },
  { dsl: 'cuda_c', pattern: /<<<[^>]*>>>/, weight: 3, evidence: 'CUDA launch syntax <<<...>>>' },
  { dsl: 'cuda_c', pattern: /cuda_sources\s*=/, weight: 3, evidence: 'load_inline(cuda_sources=...)' },
  { dsl: 'cuda_c', pattern: /(threadIdx|blockIdx|blockDim)\.[xyz]/, weight: 2, evidence: 'threadIdx / blockIdx indexing' },
  { dsl: 'cpp', pattern: /#pragma\s+omp\b/, weight: 3, evidence: '#pragma omp' },
  { dsl: 'cpp', pattern: /at::parallel_for|torch::Tensor/, weight: 1, evidence: 'ATen C++ API' },
  { dsl: 'cpp', pattern: /cpp_sources\s*=/, weight: 2, evidence: 'load_inline(cpp_sources=...)' },
]

/** Detects a kernel file's DSL from its text; nothing is run. */
export function detectDsl(source: string, fileName = ''): DslDetection {
  const scores = new Map<Dsl, number>()
  const evidence = new Map<Dsl, string[]>()
  for (const rule of RULES) {
    if (!rule.pattern.test(source)) continue
    scores.set(rule.dsl, (scores.get(rule.dsl) ?? 0) + rule.weight)
    evidence.set(rule.dsl, [...(evidence.get(rule.dsl) ?? []), rule.evidence])
  }
  if (/\.cuh?$/.test(fileName)) {
    scores.set('cuda_c', (scores.get('cuda_c') ?? 0) + 3)
    evidence.set('cuda_c', [...(evidence.get('cuda_c') ?? []), `${fileName.split(/[\\/]/).pop()} is a .cu file`])
  }
  // C++ sources that also carry CUDA are CUDA: the cpp signals are then only the host wrapper.
  if ((scores.get('cuda_c') ?? 0) >= 3) scores.delete('cpp')
  const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1])
  const best = ranked[0]
  if (!best || best[1] < 2) return { dsl: null, evidence: [], alsoSeen: [] }
  return { dsl: best[0], evidence: evidence.get(best[0]) ?? [], alsoSeen: ranked.slice(1).filter(([, score]) => score >= 2).map(([dsl]) => dsl) }
}
