import type { Dsl, TimingStats } from '../ports/runner.ts'

/** A value a tunable can take: block sizes are numbers, OpenMP schedules are words, switches are booleans. */
export type ParamValue = number | string | boolean

/** One configuration: a value for every tunable of the space. */
export type Configuration = Record<string, ParamValue>

/** Where in the source a tunable was declared, so it can be rewritten to a chosen value. */
export type DeclarationKind = 'python-assignment' | 'c-define' | 'launch-option' | 'triton-autotune'

/** One tunable parameter declared by the candidate. */
export interface TunableParameter {
  name: string
  /** Values in declaration order; numeric values keep their order, which the model-based search uses. */
  values: ParamValue[]
  /** The value the source uses today (the untuned candidate). */
  default: ParamValue
  kind: DeclarationKind
  /** 1-based line of the declaration, for error messages and the UI. */
  line: number
}

/** A constraint written next to the tunables (`# akg:constraint BLOCK_M * BLOCK_K <= 16384`). */
export interface DeclaredConstraint {
  expression: string
  line: number
}

/** The search space a candidate declares. */
export interface SearchSpace {
  dsl: Dsl
  parameters: TunableParameter[]
  /** Set when the space is an explicit list of points (the configs of an existing @triton.autotune). */
  points: Configuration[] | null
  constraints: DeclaredConstraint[]
  /** How the space was declared, shown to the user. */
  declaredBy: 'comments' | 'triton-autotune'
}

/** What happened to one configuration. Failures and skips are kept, never dropped. */
export type EvaluationStatus = 'passed' | 'failed' | 'skipped' | 'violates' | 'cancelled'

export interface EvaluationRecord {
  /** Order of evaluation, from 0; skipped configurations get an index too so they can be listed. */
  index: number
  params: Configuration
  status: EvaluationStatus
  /** Median latency in milliseconds when timed and correct. */
  latencyMs: number | null
  timing: TimingStats | null
  /** The harness verdict status (passed, incorrect, compile_error, ...) when it ran. */
  verdict: string | null
  /** The harness error (stage and message), or the reason for a skip or a violated constraint. */
  error: { stage: string; message: string } | null
  /** Successive halving's rung (0 first); other strategies use 0. */
  rung: number
  timingTrials: number | null
  durationMs: number
  /** 'confirm' for the re-timings after the search (absent on search records, and on older sessions). */
  phase?: 'search' | 'confirm'
  /** The confirmation round, from 0, on confirm records. */
  round?: number
  /** The harness protocol it ran under: 'search' (one trial plus the integrity checks) or 'full'. */
  protocol?: 'full' | 'search'
}

/** One configuration re-timed by the confirmation round. */
export interface ConfirmedConfiguration {
  params: Configuration
  /** The median the search measured (its latest passed record). */
  searchMedianMs: number
  /** The median of its round medians; null when a round failed (its error says why). */
  confirmedMedianMs: number | null
  roundMediansMs: number[]
  /** Timing trials over all rounds. */
  trials: number
  /** It is the candidate's own configuration. */
  isDefault: boolean
  /** Rounds still noisy after their re-timings; such a configuration is not confirmed (absent in older sessions). */
  noisyRounds?: number
  error: { stage: string; message: string } | null
}

/** What the confirmation round did: who was re-timed, how, and whether it changed the winner. */
export interface Confirmation {
  rounds: number
  timingTrialsPerRound: number
  /** Ordered by confirmed median, fastest first; failures last. */
  configurations: ConfirmedConfiguration[]
  /** Runner calls it made (configurations x rounds); counted as one evaluation per configuration. */
  runnerCalls: number
  /** The search's fastest configuration, which the confirmation kept or replaced. */
  searchBest: Configuration
  changedWinner: boolean
}

/** The search as reported while it runs and when it ends. */
export interface TuneProgress {
  evaluated: number
  skipped: number
  failed: number
  budgetEvaluations: number
  best: EvaluationRecord | null
  elapsedMs: number
}
