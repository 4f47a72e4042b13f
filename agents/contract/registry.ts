/**
 * The studio's vocabulary: facts the core, the hosts, the UI and the Python harness all need,
 * written once. Plain values only (no zod, no host modules), so the renderer may import them.
 * The harness reads the lists from resources/harness/akg_harness/schema/registry.json, written
 * from this file by `node_modules/.bin/tsx scripts/harness-schema.ts`; a unit test fails when
 * that file is stale. docs/vocabulary.md lists what lives here and what it replaced.
 */
import type { RunBudget, SearchOptions } from './runs.ts'

// ---------------------------------------------------------------------------------------------
// DSLs

/** A device kind a DSL's kernels run on (the part of a device name before its index). */
export type DeviceKind = 'cpu' | 'cuda' | 'npu'

/** One text signature of a DSL's kernel files; weights favour the unambiguous ones. */
export interface DetectionRule {
  pattern: RegExp
  weight: number
  evidence: string
}

export interface DslEntry {
  name: string
  label: string
  /** Device kinds its kernels are built and timed on. */
  devices: readonly DeviceKind[]
  /** On the CPU its kernels run in an interpreter: checked for correctness, never timed. */
  cpuInterpreter: boolean
  /** The agents write it (a prompt plugin under agents/dsl/<name>). */
  modelWrites: boolean
  /** The Python package its kernels import, checked by the harness's preflight; null for none. */
  pythonPackage: string | null
  /** Built with torch.utils.cpp_extension, so the harness can precompile candidates in parallel. */
  precompiled: boolean
  /** The harness adapter: module under akg_harness/dsl/ and its class. */
  harnessAdapter: { module: string; className: string }
  /** File names that are this DSL's alone (a .cu file is CUDA), and what to tell the user. */
  fileNames: { pattern: RegExp; weight: number; evidence: string } | null
  detection: readonly DetectionRule[]
  /** DSLs whose sources carry this one's signals as a host wrapper: once one of them scores 3, this one is dropped. */
  wrappedBy: readonly string[]
}

const dslTable = [
  {
    name: 'triton',
    label: 'Triton',
    devices: ['cuda', 'npu'],
    cpuInterpreter: true,
    modelWrites: true,
    pythonPackage: 'triton',
    precompiled: false,
    harnessAdapter: { module: 'triton_dsl', className: 'TritonAdapter' },
    fileNames: null,
    wrappedBy: [],
    detection: [
      { pattern: /^\s*import\s+triton\b|^\s*from\s+triton\b/m, weight: 2, evidence: 'imports triton' },
      { pattern: /@triton\.(jit|autotune)/, weight: 4, evidence: '@triton.jit kernel' },
      { pattern: /\btl\.(load|store|program_id|dot|arange)\(/, weight: 2, evidence: 'triton.language calls (tl.load, tl.program_id, ...)' },
    ],
  },
  {
    name: 'cuda_c',
    label: 'CUDA C++',
    devices: ['cuda'],
    cpuInterpreter: false,
    modelWrites: true,
    pythonPackage: null,
    precompiled: true,
    harnessAdapter: { module: 'cuda_c', className: 'CudaCAdapter' },
    fileNames: { pattern: /\.cuh?$/, weight: 3, evidence: 'is a .cu file' },
    wrappedBy: [],
    detection: [
      { pattern: /__global__\s+void/, weight: 4, evidence: '__global__ CUDA kernel' },
      { pattern: /<<<[^>]*>>>/, weight: 3, evidence: 'CUDA launch syntax <<<...>>>' },
      { pattern: /cuda_sources\s*=/, weight: 3, evidence: 'load_inline(cuda_sources=...)' },
      { pattern: /(threadIdx|blockIdx|blockDim)\.[xyz]/, weight: 2, evidence: 'threadIdx / blockIdx indexing' },
    ],
  },
  {
    name: 'cpp',
    label: 'C++ (OpenMP, CPU)',
    devices: ['cpu'],
    cpuInterpreter: false,
    modelWrites: true,
    pythonPackage: null,
    precompiled: true,
    harnessAdapter: { module: 'cpp', className: 'CppAdapter' },
    fileNames: null,
    wrappedBy: ['cuda_c'],
    detection: [
      { pattern: /#pragma\s+omp\b/, weight: 3, evidence: '#pragma omp' },
      { pattern: /at::parallel_for|torch::Tensor/, weight: 1, evidence: 'ATen C++ API' },
      { pattern: /cpp_sources\s*=/, weight: 2, evidence: 'load_inline(cpp_sources=...)' },
    ],
  },
  {
    name: 'tilelang',
    label: 'TileLang',
    devices: ['cuda'],
    cpuInterpreter: false,
    modelWrites: true,
    pythonPackage: 'tilelang',
    precompiled: false,
    harnessAdapter: { module: 'tilelang_dsl', className: 'TileLangAdapter' },
    fileNames: null,
    wrappedBy: [],
    detection: [
      { pattern: /^\s*import\s+tilelang\b|^\s*from\s+tilelang\b/m, weight: 3, evidence: 'imports tilelang' },
      { pattern: /\bT\.(Kernel|prim_func|alloc_shared|Pipelined|gemm)\b/, weight: 4, evidence: 'TileLang primitives (T.Kernel, T.alloc_shared, ...)' },
    ],
  },
  {
    name: 'numpy',
    label: 'NumPy (CPU)',
    devices: ['cpu'],
    cpuInterpreter: false,
    modelWrites: true,
    pythonPackage: 'numpy',
    precompiled: false,
    harnessAdapter: { module: 'numpy_dsl', className: 'NumpyAdapter' },
    fileNames: null,
    // A Triton, CUDA, C++ or TileLang file that also converts through NumPy is still that DSL's.
    wrappedBy: ['triton', 'cuda_c', 'cpp', 'tilelang'],
    detection: [
      { pattern: /^\s*import\s+numpy\b|^\s*from\s+numpy\b/m, weight: 1, evidence: 'imports numpy' },
      { pattern: /\btorch\.from_numpy\s*\(/, weight: 2, evidence: 'torch.from_numpy(...) hands NumPy results back to torch' },
      { pattern: /\.numpy\(\s*\)/, weight: 1, evidence: 'tensor.numpy() hands tensors to NumPy' },
    ],
  },
] as const satisfies readonly DslEntry[]

/** The DSLs a candidate can be written in; each is a plugin under agents/dsl/<name>. */
export type Dsl = (typeof dslTable)[number]['name']

/** Every DSL in the order the UI lists them. */
export const dslNames = dslTable.map((entry) => entry.name) as readonly Dsl[] as readonly [Dsl, ...Dsl[]]

export const dslRegistry: Readonly<Record<Dsl, DslEntry>> = Object.fromEntries(dslTable.map((entry) => [entry.name, entry as DslEntry])) as Record<
  Dsl,
  DslEntry
>

export const isDsl = (value: unknown): value is Dsl => typeof value === 'string' && Object.hasOwn(dslRegistry, value)

export const dslLabel = (dsl: Dsl): string => dslRegistry[dsl].label

/** The DSL a new run starts with: a GPU's first DSL, or C++ on the CPU. */
export const defaultDsl: Readonly<Record<'gpu' | 'cpu', Dsl>> = { gpu: 'triton', cpu: 'cpp' }

/** A device name's kind: cpu, cuda, cuda:N, npu:N, or host:device for a remote host. */
export function deviceKind(device: string): DeviceKind {
  return /(^|:)cuda(:|$)/.test(device) ? 'cuda' : /(^|:)npu(:|$)/.test(device) ? 'npu' : 'cpu'
}

/** What the detector found: the DSL with the most evidence, and the evidence itself to show the user. */
export interface DslDetection {
  dsl: Dsl | null
  evidence: string[]
  /** Other DSLs with some evidence too (a Triton kernel beside a CUDA one, say). */
  alsoSeen: Dsl[]
}

/**
 * Detects a kernel file's DSL from its text (and its name, when given); nothing is run. Every
 * rule that matches adds its weight; a DSL needs a score of 2, and C++ signals beside CUDA ones
 * (score 3 or more) are only the host wrapper, so the file is CUDA.
 */
export function detectDsl(source: string, fileName = ''): DslDetection {
  const scores = new Map<Dsl, number>()
  const evidence = new Map<Dsl, string[]>()
  const add = (dsl: Dsl, weight: number, found: string) => {
    scores.set(dsl, (scores.get(dsl) ?? 0) + weight)
    evidence.set(dsl, [...(evidence.get(dsl) ?? []), found])
  }
  for (const entry of dslTable) {
    for (const rule of entry.detection) if (rule.pattern.test(source)) add(entry.name, rule.weight, rule.evidence)
  }
  for (const entry of dslTable) {
    const names = entry.fileNames as DslEntry['fileNames']
    if (names && names.pattern.test(fileName)) add(entry.name, names.weight, `${fileName.split(/[\\/]/).pop()} ${names.evidence}`)
  }
  for (const entry of dslTable) {
    if ((entry.wrappedBy as readonly string[]).some((other) => (scores.get(other as Dsl) ?? 0) >= 3)) scores.delete(entry.name)
  }
  const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1])
  const best = ranked[0]
  if (!best || best[1] < 2) return { dsl: null, evidence: [], alsoSeen: [] }
  return {
    dsl: best[0],
    evidence: evidence.get(best[0]) ?? [],
    alsoSeen: ranked
      .slice(1)
      .filter(([, score]) => score >= 2)
      .map(([dsl]) => dsl),
  }
}

// ---------------------------------------------------------------------------------------------
// Roles

/** always: every call is a model call; optional: rules, or a model when one is set; never: no model. */
export type RoleModel = 'always' | 'optional' | 'never'

const roleTable = [
  { name: 'designer', label: 'Designer', model: 'always' },
  { name: 'coder', label: 'Coder', model: 'always' },
  { name: 'fixer', label: 'Fixer', model: 'always' },
  { name: 'conductor', label: 'Conductor', model: 'optional' },
  { name: 'verifier', label: 'Verifier', model: 'never' },
] as const satisfies ReadonlyArray<{ name: string; label: string; model: RoleModel }>

type RoleRow = (typeof roleTable)[number]
export type Role = RoleRow['name']
/** The agent roles that talk to a model. */
export type AgentRole = Extract<RoleRow, { model: 'always' | 'optional' }>['name']
/** The roles whose every step is a model call (they write the design and the code). */
export type WriterRole = Extract<RoleRow, { model: 'always' }>['name']

export const roleRegistry: Readonly<Record<Role, { label: string; model: RoleModel }>> = Object.fromEntries(
  roleTable.map((row) => [row.name, { label: row.label, model: row.model }]),
) as Record<Role, { label: string; model: RoleModel }>

/** The roles a run can give a model (`models` in a RunSpec). */
export const agentRoles = roleTable.filter((row) => row.model !== 'never').map((row) => row.name) as readonly AgentRole[] as readonly [
  AgentRole,
  ...AgentRole[],
]
/** The roles that always call a model: a replay answers them, preflight asks their providers. */
export const writerRoles = roleTable.filter((row) => row.model === 'always').map((row) => row.name) as readonly WriterRole[]

// ---------------------------------------------------------------------------------------------
// Run defaults

/** Defaults chosen to finish a single run in minutes on a local model. */
export const defaultBudget: Readonly<RunBudget> = { steps: 12, candidates: 16, tokens: 400_000, minutes: 60 }
export const defaultSearch: Readonly<SearchOptions> = { islands: 2, population: 4, migrationInterval: 2, ucbC: 1.4, concurrency: 2 }

// ---------------------------------------------------------------------------------------------
// The run folder: <data>/runs/<runId>/...

export const runFolder = {
  /** Under the data folder. */
  root: 'runs',
  spec: 'spec.json',
  log: 'events.jsonl',
  lock: 'run.lock',
  /** A recorded session of the run's model calls (RunSpec.record). */
  cassette: 'cassette.json',
  candidate: (id: string): string => `candidates/${id}`,
  candidateCode: (id: string): string => `candidates/${id}/candidate.py`,
  /** The harness's verdict; other purposes (a migrate source check, say) get result-<purpose>.json. */
  result: (id: string, purpose = 'candidate'): string => `candidates/${id}/result${purpose === 'candidate' ? '' : `-${purpose}`}.json`,
  prompt: (id: string): string => `candidates/${id}/prompt.md`,
  answer: (id: string): string => `candidates/${id}/answer.md`,
  designPrompt: (id: string): string => `candidates/${id}/design-prompt.md`,
  plan: (id: string): string => `candidates/${id}/plan.md`,
} as const

// ---------------------------------------------------------------------------------------------
// Terminal flow control

/**
 * Characters sent to a terminal's screen but not yet drawn. Above `highWater` the pty is paused;
 * below `lowWater` it resumes (VS Code's terminal uses the same numbers). The screen acknowledges
 * in chunks of at least `acknowledgeSize`, so it may hold up to `acknowledgeSize - 1` characters
 * unacknowledged: unless that is below `lowWater`, a paused pty would never resume.
 */
export const terminalFlow = { highWater: 100_000, lowWater: 5_000, acknowledgeSize: 5_000 } as const

export function flowControlProblem(flow: { highWater: number; lowWater: number; acknowledgeSize: number }): string | null {
  if (!(flow.acknowledgeSize > 0)) return 'the acknowledge size must be positive'
  if (!(flow.acknowledgeSize <= flow.lowWater))
    return `acknowledging every ${flow.acknowledgeSize} characters can leave the pty paused forever: the low-water mark is ${flow.lowWater}`
  if (!(flow.lowWater < flow.highWater)) return `the low-water mark ${flow.lowWater} must be below the high-water mark ${flow.highWater}`
  return null
}

const flowProblem = flowControlProblem(terminalFlow)
if (flowProblem) throw new Error(`terminalFlow: ${flowProblem}`)

// ---------------------------------------------------------------------------------------------
// Benchmark metrics

/** Geometric mean of the positive, finite values; null for none. */
export function geometricMean(values: readonly number[]): number | null {
  const positive = values.filter((value) => Number.isFinite(value) && value > 0)
  if (positive.length === 0) return null
  return Math.exp(positive.reduce((sum, value) => sum + Math.log(value), 0) / positive.length)
}

/**
 * KernelBench's fast_p: the share of `tasks` whose speedup is known and more than p (a failed,
 * unmeasured or untrusted task is a null speedup and counts against it). 0 for no tasks.
 */
export function fastP(speedups: ReadonlyArray<number | null>, p: number, tasks = speedups.length): number {
  if (tasks === 0) return 0
  return speedups.filter((value) => value !== null && value > p).length / tasks
}

// ---------------------------------------------------------------------------------------------

/** What the Python harness reads (schema/registry.json). */
export function registryDocument() {
  return {
    dsls: dslTable.map((entry) => ({
      name: entry.name,
      label: entry.label,
      devices: [...entry.devices],
      cpu_interpreter: entry.cpuInterpreter,
      model_writes: entry.modelWrites,
      python_package: entry.pythonPackage,
      precompiled: entry.precompiled,
      adapter: { module: entry.harnessAdapter.module, class: entry.harnessAdapter.className },
    })),
    roles: roleTable.map((row) => ({ name: row.name, model: row.model })),
  }
}
