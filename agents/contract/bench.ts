import { z } from 'zod'
import type { Dsl } from '../ports/index.ts'
import { route } from './define.ts'
import { runSchemas, workflows, type RunStatus, type Workflow } from './runs.ts'

/** The speedup thresholds of KernelBench's fast_p: correct and faster than p times the baseline. */
export const fastPThresholds = [0, 1, 1.5, 2] as const

export type BenchStatus = 'running' | 'completed' | 'cancelled' | 'failed'

/** A batch of runs, one per task, with the same DSL, device, workflow and models. */
export interface BenchSummary {
  id: string
  title: string
  dsl: Dsl
  device: string
  workflow: Workflow
  status: BenchStatus
  createdAt: string
  endedAt: string | null
  tasks: number
  finished: number
}

/** One task's outcome: the best correct candidate of its run. */
export interface BenchRow {
  taskPath: string
  taskName: string
  runId: string | null
  /** 'not-started': the task's run could not start (see error). */
  runStatus: RunStatus | 'pending' | 'not-started'
  /**
   * Why the task has no correct kernel, in words a user can act on: why its run could not start (a
   * malformed task file, a provider error), or why its run ended without one.
   */
  error: string | null
  /** The models of the task's run (`replay` for cassettes), and whether its answers were replayed. */
  models: string[]
  replay: boolean
  correct: boolean
  bestCandidateId: string | null
  medianMs: number | null
  eagerMs: number | null
  compileMs: number | null
  speedupVsEager: number | null
  speedupVsCompile: number | null
  /** The best candidate's timing was too spread to trust (noisy_timing): shown, but outside fast_p and the geomeans. */
  noisy?: boolean
  /** The eager baseline's provenance, e.g. "baseline measured now". */
  baseline?: string | null
}

/** fast_p per baseline; keys are the thresholds written as strings ("0", "1", "1.5", "2"). */
export interface FastP {
  eager: Record<string, number>
  compile: Record<string, number>
}

export interface BenchMetrics {
  tasks: number
  correct: number
  fastP: FastP
  /** Geometric mean over the correct tasks with a measured baseline; null when there are none. */
  geomeanSpeedupVsEager: number | null
  geomeanSpeedupVsCompile: number | null
  /** Correct tasks whose timing was noisy: counted correct (fast_0) but in no speedup metric. */
  noisyExcluded?: number
}

export interface BenchReport {
  summary: BenchSummary
  rows: BenchRow[]
  metrics: BenchMetrics
}

export const benchRoutes = {
  'bench.start': route<BenchSummary>()(
    z
      .object({
        ...runSchemas.runCommonShape,
        taskPaths: z.array(z.string().min(1)).min(1).max(10_000),
        workflow: z.enum(workflows).exclude(['migrate']).default('single'),
      })
      .strict(),
  ),
  'bench.list': route<BenchSummary[]>()(z.object({}).strict()),
  'bench.get': route<BenchReport>()(z.object({ benchId: z.string().min(1) }).strict()),
  'bench.export': route<{ format: 'csv' | 'json'; path: string; content: string }>()(
    z.object({ benchId: z.string().min(1), format: z.enum(['csv', 'json']) }).strict(),
  ),
}
