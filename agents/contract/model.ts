import { z } from 'zod'
import { dslNames, type Dsl } from './registry.ts'
import { route } from './define.ts'

/** Time of one aten op across a forward (ms per forward). */
export interface ModelOpTime {
  op: string
  ms: number
  calls: number
  share: number
}

/** A module path's time: ops run directly in it (self) and in its whole subtree (total). */
export interface ModelModuleTime {
  path: string
  self_ms: number
  total_ms: number
  depth: number
}

/** One place in the model where a region's chain runs. */
export interface RegionOccurrence {
  path: string
  nodes: string[]
  /** The module at `path` computes exactly this chain: the patch can swap it by path. */
  aligned: boolean
  time_ms: number
  floor_ms: number | null
  parameters: string[]
}

/** A chain one kernel could compute, ranked by the time a kernel could save. */
export interface ModelRegion {
  id: string
  file: string
  region: { label: string; ops: string[]; kinds: string[]; code: string[]; parameters: Array<{ name: string; key: string; shape: number[]; dtype: string }> }
  occurrences: RegionOccurrence[]
  time_ms: number
  floor_ms: number
  savings_ms: number
  share: number
  flops: number
  bytes: number
  input_shapes: Array<Array<{ shape: number[]; dtype: string }>>
  task_path?: string
  status?: string
}

/** What `akg model profile` / `extract` report (the harness's JSON, schema_version 1). */
export interface ModelReport {
  schema_version: number
  model: { path: string; name: string; source: string; parameters: number; input_sets: Array<Array<{ shape?: number[]; dtype?: string }>> }
  device: { id: string; name: string }
  capture: { method: 'torch.export' | 'per-op'; seconds: number; reason: string | null }
  eager: { total_ms: number; ops: ModelOpTime[]; modules: ModelModuleTime[]; runs: number; time_basis: string }
  graph_total_ms: number
  tasks: ModelRegion[]
  compile: { kernels: Array<{ kernel: string; ms: number; ops: string[] }>; other_kernels_ms: number; seconds: number } | { error: string } | null
  notes: string[]
  durations: Record<string, number>
  tasks_dir?: string
  written?: Array<{ id: string; file: string; path: string; status: string }>
}

/** Timing of one side of the A/B (the harness's timing stats plus throughput). */
export interface ModelSideTiming {
  median_ms?: number
  iqr_ms?: number
  p05_ms?: number
  p95_ms?: number
  trials?: number
  noisy?: boolean
  noise?: string | null
  first_call_s?: number
  items_per_s?: number
  error?: string
  /** Why the side was not timed (a Triton patch on the CPU runs under the interpreter). */
  skipped?: string
}

/** Whether a patched model's outputs still match the model's. */
export interface ModelCheck {
  passed: boolean
  summary: string
  max_abs_error: number | null
  fp64: { original_max_abs_error: number; patched_max_abs_error: number; within_tolerance_of_truth: boolean } | null
}

/** What `akg model apply` (and `compare`, with `sets`) report. */
export interface ModelPatchReport {
  model: { path: string; name: string }
  device: string
  tasks_dir: string
  mode: 'module' | 'graph'
  regions: Array<{
    id: string
    label: string
    file: string
    paths: string[]
    status: 'accepted' | 'refused'
    reason: string | null
    checks: ModelCheck[]
    kernel: { path: string; dsl: string }
  }>
  accepted: string[]
  refused: Array<{ id: string; reason: string }>
  /** The kept set's checks; when every accepted region together broke the output, `all_together` holds that check and the regions left out are refused with the reason. */
  combined: { passed: boolean | null; checks: ModelCheck[] }
  all_together?: { passed: boolean; ids: string[]; checks: ModelCheck[] } | null
  patch_module?: string
  notes: string[]
  region_share?: number | null
  sets?: Array<{ inputs: number[][]; batch: number; sides: Record<string, ModelSideTiming>; speedups: Record<string, number | null> }>
}

/** The best candidate of the runs made on one extracted task, ready to be patched back. */
export interface ModelWinner {
  /** The candidate's file in its run folder. */
  path: string
  dsl: Dsl
  runId: string
  runTitle: string
  candidateId: string
  medianMs: number | null
  speedupVsEager: number | null
  /** Its timing was too spread to trust (the run's best is marked so). */
  noisy: boolean
  /** Some model answer of that run was played back from a cassette, not a live model. */
  replay: boolean
}

/** For each task file of a model's task folder, the winner among its runs, or why there is none. */
export interface ModelWinners {
  tasksDir: string
  winners: Record<string, ModelWinner>
  missing: Array<{ id: string; taskPath: string; reason: string }>
}

const device = z
  .string()
  .regex(/^(cpu|cuda(:\d+)?|npu(:\d+)?)$/, 'cpu, cuda[:N] or npu[:N]')
  .default('cpu')
const kernels = z.record(z.string().min(1), z.object({ path: z.string().min(1), dsl: z.enum(dslNames) }).strict())

export const modelRoutes = {
  /** Profiles a model file (get_model/get_inputs): time per op and module, regions ranked by what a kernel could save. */
  'model.profile': route<ModelReport>()(z.object({ path: z.string().min(1), device, compile: z.boolean().default(false) }).strict()),
  /** Profile, then a KernelBench task per chosen region in `<model>.akg-tasks/`, opened in Tasks. */
  'model.extract': route<ModelReport>()(
    z
      .object({
        path: z.string().min(1),
        device,
        compile: z.boolean().default(false),
        top: z.number().int().min(1).max(50).optional(),
        regions: z.array(z.string().min(1)).optional(),
        /** Also regions whose measured time is at or under their floor (a floor from peaks a loaded machine understates). */
        atFloor: z.boolean().optional(),
      })
      .strict(),
  ),
  /** Swaps regions for winning kernels in a copy of the model; refuses (and names) a kernel that breaks the output. */
  'model.apply': route<ModelPatchReport>()(z.object({ path: z.string().min(1), device, tasksDir: z.string().min(1).optional(), kernels }).strict()),
  /** The best candidate of each extracted task's runs on the model's device kind (what apply and compare take as kernels). */
  'model.winners': route<ModelWinners>()(
    z
      .object({
        path: z.string().min(1),
        device,
        tasksDir: z.string().min(1).optional(),
        /** Also take a best candidate that was slower than eager on its task (left out by default). */
        slower: z.boolean().optional(),
      })
      .strict(),
  ),
  /** apply, then eager / torch.compile / patched / patched + compile timed with the harness's protocol. */
  'model.compare': route<ModelPatchReport>()(
    z
      .object({
        path: z.string().min(1),
        device,
        tasksDir: z.string().min(1).optional(),
        kernels,
        compile: z.boolean().default(true),
        timingTrials: z.number().int().min(1).max(1000).optional(),
      })
      .strict(),
  ),
}
