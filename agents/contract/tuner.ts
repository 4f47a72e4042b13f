import { z } from 'zod'
import { dslNames } from './registry.ts'
import type { Dsl } from '../ports/runner.ts'
import type { Confirmation, EvaluationRecord, TunableParameter, TuneProgress } from '../tuner/types.ts'
import type { ResolvedStrategy } from '../tuner/select.ts'
import type { StopReason } from '../tuner/tuner.ts'
import { route } from './define.ts'

export type { Confirmation, EvaluationRecord, TunableParameter, TuneProgress, ResolvedStrategy }
/** Why a search stopped (strategy finished, a budget ran out, cancelled, nothing feasible). */
export type TuneStopReason = StopReason

/** Where a tuning session stands. */
export type TuneState = 'running' | 'finished' | 'failed' | 'cancelled'

/** One tuning session: what was asked, what ran and why, every configuration evaluated, and the best. */
export interface TuneSession {
  id: string
  state: TuneState
  startedAt: string
  finishedAt: string | null
  taskPath: string
  candidatePath: string
  dsl: Dsl
  device: string
  deviceFamily: string
  kernel: string
  strategy: ResolvedStrategy
  space: { parameters: TunableParameter[]; size: number; feasible: number | null; declaredBy: 'comments' | 'triton-autotune' }
  /** Evaluated configurations in order, failures included. */
  records: EvaluationRecord[]
  /** Configurations a static constraint ruled out, with the reason; never run. */
  skipped: EvaluationRecord[]
  /** After a confirmation round, the winner's record carries its confirmed median (phase 'confirm'). */
  best: EvaluationRecord | null
  /** Search and confirmed medians of the re-timed finalists; absent while running and when no round ran. */
  confirmation?: Confirmation | null
  /** Evaluations counted against the budget (search plus one per confirmed configuration), once finished. */
  evaluations?: number
  baseline: EvaluationRecord | null
  progress: TuneProgress
  stopReason: TuneStopReason | null
  notes: string[]
  /** The new candidate file holding the best configuration, written when the search ends with one. */
  bestCandidatePath: string | null
  error: { code: string; message: string } | null
}

/** A preset as listed: enough to choose one and to see why it would match. */
export interface TunerPresetSummary {
  name: string
  file: string
  description: string
  automatic: boolean
  match: { dsl?: string[]; deviceFamily?: string[]; kernel?: string }
  strategy: string
  timing: boolean
  budget: { evaluations: number; minutes: number }
  overrides: Array<{ kernel: string; reason: string }>
}

export interface TunerPresetList {
  presets: TunerPresetSummary[]
  /** Preset files that could not be used, each naming the field at fault. */
  problems: Array<{ file: string; field: string; message: string }>
}

/** The tune-progress payload: one evaluated configuration and where the search stands. */
export interface TuneProgressEvent {
  id: string
  record: EvaluationRecord
  progress: TuneProgress
}

const id = z.object({ id: z.string().min(1) }).strict()

export const tunerRoutes = {
  'tuner.start': route<TuneSession>()(
    z
      .object({
        /** A task id (as tasks.list gives it) or a task file path. */
        task: z.string().min(1),
        /** The candidate file whose declared tunables are searched. */
        candidate: z.string().min(1),
        dsl: z.enum(dslNames).optional(),
        device: z.string().min(1).default('cpu'),
        /** hopper, ampere, ada, blackwell, other-gpu, cpu, cpu-interpreter, npu; detected when left out. */
        deviceFamily: z.string().min(1).optional(),
        /** A preset name or a preset file path; the scenario's preset when left out. */
        strategy: z.string().min(1).optional(),
        budget: z.object({ evaluations: z.number().int().positive().optional(), minutes: z.number().positive().optional() }).strict().optional(),
        /** The name matched against preset kernel patterns; the task's name when left out. */
        kernel: z.string().min(1).optional(),
      })
      .strict(),
  ),
  'tuner.get': route<TuneSession>()(id),
  'tuner.cancel': route<TuneSession>()(id),
  'tuner.list': route<TuneSession[]>()(z.object({}).strict()),
  'tuner.presets': route<TunerPresetList>()(z.object({}).strict()),
}
