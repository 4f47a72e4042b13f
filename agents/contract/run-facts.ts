import type { RunEvent, RunSpec, RunStatus, StopReason, UsageTotals } from './runs.ts'

/**
 * The run-level facts of a run's event log, folded one way for every reader: the engine's resume
 * state (agents/run/state.ts, which the host's run list summarizes) and the Run view's model
 * (renderer/src/store/run-model.ts). Plain data, so the renderer's store can hold it.
 */
export interface RunFacts {
  spec: RunSpec | null
  status: RunStatus
  endReason: StopReason | null
  /** The run-end's sentence: why it stopped, in words. */
  endDetail: string | null
  /** The first run-start's time; a resumed run keeps it. */
  createdAt: string | null
  /** The last event's time. */
  updatedAt: string | null
  endedAt: string | null
  /** The highest step a step-end reported (steps count from 1). */
  steps: number
  usage: UsageTotals
  /** Whether any model answer was played back from a cassette. */
  replayed: boolean
  /** The seq the next event has; events below it were folded already. */
  nextSeq: number
  /** A failure no further candidate can get past (an unreachable provider); cleared when a segment starts. */
  fatalError: { code: string; message: string } | null
}

export const emptyUsage = (): UsageTotals => ({ inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 })

export function emptyRunFacts(): RunFacts {
  return {
    spec: null,
    status: 'running',
    endReason: null,
    endDetail: null,
    createdAt: null,
    updatedAt: null,
    endedAt: null,
    steps: 0,
    usage: emptyUsage(),
    replayed: false,
    nextSeq: 0,
    fatalError: null,
  }
}

/**
 * Folds one event into the run-level facts. It only assigns fields of `facts`, never changes a
 * value one of them holds, so the renderer can fold into a shallow copy of its previous model.
 */
export function applyRunFacts(facts: RunFacts, event: RunEvent): void {
  facts.nextSeq = event.seq + 1
  facts.updatedAt = event.time
  switch (event.type) {
    case 'run-start':
      facts.spec = event.spec
      facts.createdAt ??= event.time
      facts.status = 'running'
      facts.endReason = null
      facts.endDetail = null
      facts.endedAt = null
      facts.fatalError = null
      break
    case 'usage':
      facts.usage = event.totals
      if (event.replay || event.model.startsWith('replay:')) facts.replayed = true
      break
    case 'step-end':
      facts.steps = Math.max(facts.steps, event.step)
      break
    case 'run-error':
      if (event.fatal) facts.fatalError = { code: event.code, message: event.message }
      break
    case 'run-end':
      facts.status = event.status
      facts.endReason = event.reason
      facts.endDetail = event.detail
      facts.endedAt = event.time
      break
    default:
      break
  }
}
