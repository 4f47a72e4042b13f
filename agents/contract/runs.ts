import { z } from 'zod'
import type { AgentRole, Dsl, TokenUsage, Verdict, VerdictStatus } from '../ports/index.ts'
import { route } from './define.ts'
import { agentRoles, defaultBudget, defaultSearch, dslNames } from './registry.ts'

/** The port types a run's payloads carry, re-exported so clients import one module. */
export type { AgentRole, Dsl, TimingStats, TokenUsage, Verdict, VerdictStatus } from '../ports/index.ts'

/** The workflows a run can follow (DESIGN.md, "A run, end to end"). */
export type Workflow = 'single' | 'optimize' | 'evolve' | 'adaptive' | 'migrate'
export const workflows = ['single', 'optimize', 'evolve', 'adaptive', 'migrate'] as const satisfies readonly Workflow[]
export const dsls: readonly [Dsl, ...Dsl[]] = dslNames
export const modelRoles: readonly [AgentRole, ...AgentRole[]] = agentRoles

/** Limits that end a run; whichever is reached first stops it. */
export interface RunBudget {
  /** Agent steps (one model call plus its check and verification is a step). */
  steps: number
  /** Candidates generated, fixes and tuned variants included. */
  candidates: number
  /** Input plus output tokens over every model call. */
  tokens: number
  /** Wall-clock minutes since the run started (resumed time included). */
  minutes: number
}

/** Knobs of the search workflows (evolve, adaptive); ignored by single and migrate. */
export interface SearchOptions {
  islands: number
  /** Candidates per island per generation (evolve) or the pool cap (adaptive). */
  population: number
  /** Generations between migrations of elites from one island to the next. */
  migrationInterval: number
  /** Exploration constant of the UCB parent selection (adaptive). */
  ucbC: number
  /** Candidates in flight at once; the runner's free slots bound it further. */
  concurrency: number
}

/** migrate: the source kernel is the design; the candidate is checked against it too. */
export interface MigrateOptions {
  sourcePath: string
  sourceDsl: Dsl
}

/** Where a forked run starts from. */
export interface ForkOrigin {
  runId: string
  candidateId: string
}

/** Everything that defines a run; stored as spec.json in the run's folder. */
export interface RunSpec {
  title: string
  taskPath: string
  dsl: Dsl
  /** cpu, cuda, cuda:N, npu:N, or host:device for a remote host. */
  device: string
  workflow: Workflow
  /** A `provider:model` string per role, e.g. `ollama:qwen2.5-coder:14b`; the coder's model stands in for a missing role. */
  models: Partial<Record<AgentRole, string>>
  budget: RunBudget
  search: SearchOptions
  migrate: MigrateOptions | null
  fork: ForkOrigin | null
  /** Record every model call of the run into cassette.json in its folder (a replayable session). */
  record?: boolean
}

export { defaultBudget, defaultSearch } from './registry.ts'

const dslSchema = z.enum(dsls)
const modelString = z.string().regex(/^[a-z][a-z0-9_-]*:.+$/, 'use provider:model, e.g. ollama:qwen2.5-coder:14b')
const budgetSchema = z
  .object({
    steps: z.number().int().min(1).max(10_000).optional(),
    candidates: z.number().int().min(1).max(100_000).optional(),
    tokens: z.number().int().min(1).optional(),
    minutes: z
      .number()
      .min(0.05)
      .max(60 * 24 * 14)
      .optional(),
  })
  .strict()
const searchSchema = z
  .object({
    islands: z.number().int().min(1).max(64).optional(),
    population: z.number().int().min(1).max(1024).optional(),
    migrationInterval: z.number().int().min(1).max(1000).optional(),
    ucbC: z.number().min(0).max(100).optional(),
    concurrency: z.number().int().min(1).max(256).optional(),
  })
  .strict()
const modelsSchema = z
  .object({ designer: modelString.optional(), coder: modelString.optional(), fixer: modelString.optional(), conductor: modelString.optional() })
  .strict()

/** Fields shared by runs.start, migrate.start and bench.start. */
const runCommonShape = {
  title: z.string().max(200).optional(),
  dsl: dslSchema,
  device: z.string().min(1).max(200).default('cpu'),
  models: modelsSchema.default({}),
  budget: budgetSchema.default({}),
  search: searchSchema.default({}),
  /** Record the live model session as a cassette in the run's folder. */
  record: z.boolean().optional(),
}

export const runSpecInput = z
  .object({
    ...runCommonShape,
    taskPath: z.string().min(1),
    workflow: z.enum(workflows).default('single'),
    migrate: z
      .object({ sourcePath: z.string().min(1), sourceDsl: dslSchema })
      .strict()
      .optional(),
  })
  .strict()
  .refine((value) => value.workflow !== 'migrate' || value.migrate !== undefined, {
    message: 'the migrate workflow needs migrate.sourcePath and migrate.sourceDsl',
    path: ['migrate'],
  })
export type RunSpecInput = z.input<typeof runSpecInput>

const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path

/** Fills the defaults of a validated runs.start input; pure, so the CLI and tests share it. */
export function resolveRunSpec(input: z.output<typeof runSpecInput>, fork: ForkOrigin | null = null): RunSpec {
  return {
    title: input.title ?? `${baseName(input.taskPath).replace(/\.py$/, '')} · ${input.dsl} · ${input.workflow}`,
    taskPath: input.taskPath,
    dsl: input.dsl,
    device: input.device,
    workflow: input.workflow,
    models: { ...input.models },
    budget: { ...defaultBudget, ...input.budget },
    search: { ...defaultSearch, ...input.search },
    migrate: input.migrate ?? null,
    fork,
    ...(input.record ? { record: true } : {}),
  }
}

/**
 * A run's lifecycle. `interrupted`: the process died or stopped mid-run (or the disk filled);
 * runs.resume continues it from its log. `running-elsewhere`: another process holds the run's
 * lock and is executing it (a CLI run seen from the studio, or the other way round).
 */
export type RunStatus = 'running' | 'completed' | 'stopped' | 'failed' | 'cancelled' | 'interrupted' | 'running-elsewhere'

/** The process holding a run's lock (run.lock in its folder). */
export interface RunOwner {
  pid: number
  hostname: string
  /** ISO time the lock was taken. */
  since: string
  /** `studio`, `browser` or `cli`. */
  program: string
}

/** A folder under the runs folder that cannot be read as a run, and why. */
export interface UnreadableRun {
  id: string
  folder: string
  reason: string
}

/** Why a run ended. */
export type StopReason =
  | 'correct'
  | 'search-complete'
  | 'step-limit'
  | 'failure-limit'
  | 'budget-candidates'
  | 'budget-tokens'
  | 'budget-minutes'
  | 'conductor'
  | 'cancelled'
  | 'error'

export interface UsageTotals {
  inputTokens: number
  outputTokens: number
  /** Null when a provider's price is unknown for any call. */
  costUsd: number | null
  calls: number
}

/** A run as listed; derived from its event log. */
export interface RunSummary {
  id: string
  title: string
  taskPath: string
  dsl: Dsl
  device: string
  workflow: Workflow
  status: RunStatus
  endReason: StopReason | null
  /** Why the run ended, in words (the run-end's detail); null while running. */
  endDetail: string | null
  createdAt: string
  updatedAt: string
  endedAt: string | null
  steps: number
  candidates: number
  correctCandidates: number
  /** The best correct candidate; `noisy` when its timing was too spread to trust (its speedups are shown, marked, and left out of fast_p). */
  best: {
    candidateId: string
    medianMs: number | null
    eagerMs: number | null
    compileMs: number | null
    speedupVsEager: number | null
    speedupVsCompile: number | null
    noisy: boolean
  } | null
  usage: UsageTotals
  /** True when any model answer was played back from a cassette (a replay, not a live model). */
  replay: boolean
  /** The `provider:model` (or `cassette:` path) per role, as the run was started. */
  models: Partial<Record<AgentRole, string>>
  /** Milliseconds spent running (sum over resumes). */
  elapsedMs: number
  fork: ForkOrigin | null
  lastEventSeq: number
  /** The other process executing this run (status running-elsewhere); null otherwise. */
  owner: RunOwner | null
}

/** What made a candidate. */
export type CandidateOrigin = 'generate' | 'fix' | 'regenerate' | 'optimize' | 'tune' | 'evolve' | 'migrate-source' | 'fork'

/** Where a candidate is in its life; the verdict statuses are terminal. */
export type CandidateStatus = 'generating' | 'checking' | 'verifying' | 'rejected' | 'cancelled' | 'error' | VerdictStatus

/** A static check's finding, phrased so the Coder can act on it. */
export interface CheckFinding {
  rule: string
  severity: 'error' | 'warning'
  message: string
  line: number | null
}

/** The verdict fields a list view needs; the full document is in the candidate's artifacts. */
export interface VerdictSummary {
  status: VerdictStatus
  correct: boolean
  interpreted: boolean
  errorStage: string | null
  errorMessage: string | null
  failedChecks: string[]
  medianMs: number | null
  eagerMs: number | null
  compileMs: number | null
  maxAbsError: number | null
  flags: string[]
  /** A timing side's spread is too large to trust its median (flag noisy_timing); absent in older logs. */
  noisy?: boolean
  /** Where the eager baseline came from: measured now, or a cache entry re-timed to agree (with its age). */
  baseline?: BaselineOrigin | null
  /** The device model the verdict was measured on (environment.device_name). */
  deviceName?: string | null
}

/** Provenance of a baseline beside a speedup: measured in this evaluation, or a cached entry (its age) that a quick re-time agreed with. */
export interface BaselineOrigin {
  source: 'measured' | 'cache'
  ageS: number | null
  /** A cached entry disagreed with the quick re-time (or did not apply here) and was re-measured. */
  remeasured: boolean
}

/** One candidate kernel and its lineage (parent, inspirations, island). */
export interface CandidateRecord {
  id: string
  runId: string
  parentId: string | null
  inspirationIds: string[]
  island: number | null
  step: number
  dsl: Dsl
  origin: CandidateOrigin
  /** Relative to the run's folder, e.g. candidates/c0003.py; null until code exists. */
  codePath: string | null
  status: CandidateStatus
  findings: CheckFinding[]
  verdict: VerdictSummary | null
  /** Tunable values this candidate was evaluated with (tune). */
  params: Record<string, number | string | boolean> | null
  timing: { startedAt: string; endedAt: string | null; generateMs: number | null; verifyMs: number | null }
  speedups: { eager: number | null; compile: number | null } | null
}

/** What bounds a kernel, read from the roofline and ncu data in the verdict. */
export type Boundedness = 'memory-bound' | 'compute-bound' | 'launch-bound' | 'occupancy-bound' | 'unknown'

export interface ProfileAnalysis {
  bound: Boundedness
  /** A sentence the Coder reads in the optimize prompt. */
  summary: string
  metrics: Record<string, number | null>
  /** Concrete facts from ncu and the roofline for the optimize prompt (absent in logs written before ncu was in the loop). */
  facts?: string[]
  /** Candidate lines with a share of ncu's sampled stalls, hottest first. */
  hotSpots?: Array<{
    line: number
    text: string
    share: number
    samples: number
    topStall: string | null
    topStallShare: number | null
    stalls: Record<string, number>
  }>
}

export type ConductorAction = 'fix' | 'regenerate' | 'optimize' | 'tune' | 'stop'

/** The part of each RunEvent that orders it in its run's log. */
export interface RunEventBase {
  runId: string
  /** 0-based, gap-free within a run; runs.events replays from any seq. */
  seq: number
  /** ISO 8601. */
  time: string
}

type E<Type extends string, Body> = RunEventBase & { type: Type } & Body

/** Everything that happens in a run, appended to events.jsonl and streamed as `run-event`. */
export type RunEvent =
  | E<'run-start', { spec: RunSpec; resumed: boolean }>
  | E<'candidate-start', { candidate: CandidateRecord }>
  | E<'design-start', { candidateId: string; promptPath: string }>
  | E<'design-delta', { candidateId: string; text: string }>
  | E<'design-end', { candidateId: string; answerPath: string; chars: number }>
  | E<'code-start', { candidateId: string; role: 'coder' | 'fixer'; promptPath: string }>
  | E<'code-delta', { candidateId: string; text: string }>
  | E<'code-end', { candidateId: string; answerPath: string; codePath: string | null }>
  | E<'check-end', { candidateId: string; passed: boolean; findings: CheckFinding[] }>
  | E<'verify-start', { candidateId: string; device: string; purpose: 'candidate' | 'source' | 'tune' }>
  | E<'verify-end', { candidateId: string; verdict: Verdict; resultPath: string; durationMs: number }>
  | E<'source-check-end', { candidateId: string; sourceCandidateId: string; status: 'passed' | 'failed' | 'skipped'; detail: string }>
  | E<'profile-end', { candidateId: string; analysis: ProfileAnalysis }>
  | E<'conductor-decision', { candidateId: string | null; action: ConductorAction; reason: string; by?: 'rules' | 'model' }>
  | E<'diagnosis-sent', { candidateId: string; parentId: string; bound: Boundedness; facts: string[] }>
  | E<'candidate-end', { candidate: CandidateRecord }>
  | E<'tune-start', { candidateId: string }>
  | E<'tune-end', { candidateId: string; resultCandidateId: string | null; detail: string }>
  /** `replay`: the answer was played back from a cassette; its usage is what the cassette recorded (often none). */
  | E<'usage', { role: AgentRole; model: string; usage: TokenUsage; totals: UsageTotals; replay?: boolean }>
  | E<'island-migration', { fromIsland: number; toIsland: number; candidateIds: string[] }>
  | E<'step-end', { step: number }>
  | E<'run-error', { message: string; code: string; candidateId: string | null; fatal: boolean }>
  | E<'run-end', { reason: StopReason; status: RunStatus; bestCandidateId: string | null; detail: string }>

export type RunEventType = RunEvent['type']
/** A RunEvent before the log gives it runId, seq and time. */
export type RunEventDraft = RunEvent extends infer Event ? (Event extends RunEvent ? Omit<Event, keyof RunEventBase> : never) : never

export interface RunDetail {
  spec: RunSpec
  summary: RunSummary
  candidates: CandidateRecord[]
}

export interface RunEventPage {
  events: RunEvent[]
  /** The seq to ask for next. */
  nextSeq: number
  /** True while more events are already on disk past this page. */
  more: boolean
  /** True while the run is executing in this process, so more may come live. */
  live: boolean
}

export interface CandidateDetail {
  candidate: CandidateRecord
  code: string | null
  parentCode: string | null
  verdict: Verdict | null
  plan: string | null
}

const runRef = { runId: z.string().min(1) }

export const runRoutes = {
  'runs.start': route<RunSummary>()(runSpecInput),
  'runs.list': route<RunSummary[]>()(z.object({ limit: z.number().int().min(1).max(10_000).optional() }).strict()),
  /** Run folders that cannot be read (a corrupt log, no spec), with the reason; runs.list leaves them out. */
  'runs.unreadable': route<UnreadableRun[]>()(z.object({}).strict()),
  'runs.get': route<RunDetail>()(z.object(runRef).strict()),
  'runs.events': route<RunEventPage>()(
    z.object({ ...runRef, fromSeq: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(5000).default(1000) }).strict(),
  ),
  'runs.cancel': route<RunSummary>()(z.object(runRef).strict()),
  'runs.resume': route<RunSummary>()(z.object(runRef).strict()),
  'runs.fork': route<RunSummary>()(
    z
      .object({
        ...runRef,
        candidateId: z.string().min(1),
        workflow: z.enum(workflows).optional(),
        budget: budgetSchema.optional(),
        models: modelsSchema.optional(),
        search: searchSchema.optional(),
      })
      .strict(),
  ),
  'runs.candidate': route<CandidateDetail>()(z.object({ ...runRef, candidateId: z.string().min(1) }).strict()),
  'migrate.start': route<RunSummary>()(
    z
      .object({
        ...runCommonShape,
        taskPath: z.string().min(1),
        sourcePath: z.string().min(1),
        sourceDsl: dslSchema,
      })
      .strict(),
  ),
}

/** Shapes reused by the bench contract. */
export const runSchemas = { dslSchema, budgetSchema, searchSchema, modelsSchema, runCommonShape }
