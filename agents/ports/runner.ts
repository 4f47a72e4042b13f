/** The DSLs a candidate can be written in; each is a plugin under agents/dsl/<name>. */
import type { Dsl } from '../contract/registry.ts'
export type { Dsl }

/** The harness verdicts (resources/harness/README.md documents the full result document). */
export type VerdictStatus = 'passed' | 'incorrect' | 'compile_error' | 'runtime_error' | 'timeout' | 'rejected'

export interface TimingStats {
  median_ms: number
  mean_ms: number
  min_ms: number
  max_ms: number
  iqr_ms: number
  std_ms: number
  trials: number
  /** Percentiles of the timed calls; absent in verdicts of older harness versions. */
  p05_ms?: number
  p25_ms?: number
  p75_ms?: number
  p95_ms?: number
  /** The spread is too large to trust the median (see the harness README, noisy_timing). */
  noisy?: boolean
}

/** How the candidate's median was checked from outside its process (harness README, "Timing confirmation"). */
export interface TimingConfirmation {
  confirmed: boolean
  methods: Array<{ method: 'wall_clock' | 'ncu'; confirmed: boolean; ratio?: number; detail?: string }>
}

/**
 * The harness's result document (schema_version 2), as far as the agent loop reads it.
 * Speedups are null when the median was not confirmed from outside the candidate's process
 * (flag `timing_unconfirmed`): such a verdict claims no speedup.
 */
export interface Verdict {
  schema_version: number
  /** The task file as evaluated (absolute path). */
  task?: string
  status: VerdictStatus
  correct: boolean
  interpreted?: boolean
  checks: Array<{ name: string; passed: boolean; detail?: string | null }>
  error: { stage: string; message: string; traceback?: string } | null
  correctness?: {
    trials: number
    max_abs_error: number | null
    max_rel_error: number | null
    mismatch_ratio: number | null
    tolerance?: unknown
    /** ||out - ref|| / ||ref|| over finite elements (harness 1.x and later). */
    relative_error_norm?: number | null
    /** The element with the largest absolute error. */
    worst_element?: { index: number[]; got: number | string; expected: number | string; abs_error: number } | null
  } | null
  timing: {
    candidate: TimingStats
    eager: TimingStats | null
    compile: TimingStats | null
    speedup_vs_eager: number | null
    speedup_vs_compile: number | null
    clock?: string
    /** Per baseline: hit (re-timed), miss, stale (re-measured), error (see the harness README). */
    baseline_cache?: Record<string, string>
    /** Per baseline: where, when and how it was measured. */
    baseline_provenance?: Record<
      string,
      { source: string; measured_at?: number | null; age_s?: number | null; replaced?: string | null; retime_ratio?: number }
    >
    confirmation?: TimingConfirmation | null
  } | null
  profile?: unknown
  ncu?: unknown
  roofline?: Record<string, number | string | null> | null
  flags: Array<{ name: string; detail?: string | null }>
  environment?: Record<string, unknown>
  durations?: Record<string, number>
}

/** One candidate to verify (and time, and profile) on one device. */
export interface EvaluateRequest {
  taskPath: string
  candidatePath: string
  dsl: Dsl
  /** cpu, cuda, cuda:N, npu:N, or host:device for a remote host (host:cuda:1). */
  device: string
  /** Tunable overrides for this evaluation (see the harness README, "Tunables"). */
  params?: Record<string, number | string | boolean>
  correctnessTrials?: number
  timingTrials?: number
  /** Seconds for the run (correctness, checks, timing); the build has its own limit. */
  timeoutSeconds?: number
  /** Seconds for loading and building the candidate (a cold nvcc build takes a minute or two). */
  buildTimeoutSeconds?: number
  /**
   * 'search': one correctness trial and the integrity checks, for a tuner's configurations of a
   * candidate that passed in full; 'full' (the default): every check.
   */
  protocol?: 'full' | 'search'
  /** Base seed of the trials; a fixed one lets the harness reuse reference outputs across evaluations. */
  seed?: number
  baselines?: Array<'eager' | 'compile'>
  profile?: boolean
  ncu?: boolean
  /** Higher runs first when slots are scarce (the tuner and interactive runs use this). */
  priority?: number
}

/** The port through which the agent core reaches harness workers (local, pooled or over SSH). */
export interface Runner {
  evaluate(request: EvaluateRequest, signal?: AbortSignal): Promise<Verdict>
  /** How many evaluations can run at once right now; search workflows size their waves by it. */
  capacity(): number
  /**
   * One concrete device for a run asked on a bare kind (`cuda` -> `cuda:1`), so every candidate of
   * the run is timed on the same device and ranks never mix devices; other devices come back as
   * they are. Runners with one device need not implement it.
   */
  pinDevice?(device: string): Promise<string>
}

/** Whether a verdict's timing may be called a result: passed, timed, and (schema 2) confirmed from outside the candidate's process. */
export function timingConfirmed(verdict: Verdict): boolean {
  if (!verdict.correct || !verdict.timing) return false
  return !verdict.flags.some((flag) => flag.name === 'timing_unconfirmed')
}
