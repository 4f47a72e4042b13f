import type { CandidateRecord, RunEvent, RunSpec } from '../contract/runs.ts'
import type { AgentRole, Clock, Dsl, ModelClient, Runner } from '../ports/index.ts'
import type { HardwareFacts, HostFacts } from '../knowledge/hardware-facts.ts'
import type { RunRecorder } from './recorder.ts'
import type { RunState } from './state.ts'
import type { RunStore } from './store.ts'

/** A model client bound to the model name a role uses. */
export interface ModelBinding {
  client: ModelClient
  model: string
}

/** A knowledge document chosen for a prompt. */
export interface KnowledgeSnippet {
  title: string
  body: string
}

export interface KnowledgeQuery {
  dsl: Dsl
  device: string
  stage: 'initial' | 'debug' | 'optimize'
  taskSource: string
}

/** Picks the skill documents for a stage (agents/knowledge); absent until knowledge is installed. */
export type KnowledgeSelector = (query: KnowledgeQuery) => KnowledgeSnippet[] | Promise<KnowledgeSnippet[]>

/** What the tuner hands back: the candidate's code with the best parameters written in. */
export interface TuneOutcome {
  code: string
  params: Record<string, number | string | boolean>
  detail: string
}

export interface TuneRequest {
  candidate: CandidateRecord
  code: string
  codePath: string
  taskPath: string
  dsl: Dsl
  device: string
  signal: AbortSignal
}

/** The optimize workflow's hook into agents/tuner; null when the candidate declares nothing tunable. */
export type TuneHook = (request: TuneRequest) => Promise<TuneOutcome | null>

/** The ports a run is driven through; the host supplies real ones, tests scripted ones. */
export interface RunDependencies {
  model(role: AgentRole): ModelBinding
  runner: Runner
  clock: Clock
  store: RunStore
  knowledge?: KnowledgeSelector
  tune?: TuneHook
  /** The target device's numbers for every prompt (the host reads them from detection and the sheets). */
  hardware?: (device: string) => Promise<HardwareFacts | null>
  /** The torch and triton versions and this machine's CPU, for prompts that carry no GPU facts (a CPU run). */
  host?: (device: string) => Promise<HostFacts>
  onEvent?: (event: RunEvent) => void
}

/** One executing run: its spec, the live state folded from its log, and the ports. */
export interface RunContext {
  runId: string
  spec: RunSpec
  deps: RunDependencies
  recorder: RunRecorder
  state: RunState
  signal: AbortSignal
  taskSource: string
  /** When this process took the run up (resume starts a new segment). */
  segmentStartedAt: number
  /** Elapsed milliseconds of earlier segments, from the log. */
  priorElapsedMs: number
  /** Allocates the next candidate id (c0001...), stable across resumes. */
  nextCandidateId(): string
  /** Allocates the next step number. */
  nextStep(): number
  /** Steps allocated so far, in flight included, so concurrent candidates cannot overshoot the step limit. */
  stepsAllocated(): number
}
