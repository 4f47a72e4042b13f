import { applyRunFacts, emptyRunFacts, emptyUsage, type RunFacts } from '../contract/run-facts.ts'
import type { CandidateRecord, ConductorAction, RunEvent, RunOwner, RunSummary } from '../contract/runs.ts'
import type { Verdict } from '../ports/index.ts'

/**
 * Everything a workflow needs to continue a run, rebuilt from its event log alone: the run-level
 * facts every reader folds the same way (agents/contract/run-facts.ts) and what resuming needs.
 */
export interface RunState extends RunFacts {
  runId: string
  /** Insertion order is creation order. */
  candidates: Map<string, CandidateRecord>
  elapsedMs: number
  /** The conductor's last decision per candidate, so a resumed run does not route twice. */
  decisions: Map<string, ConductorAction>
  /** Plan answer path per candidate (design-end). */
  plans: Map<string, string>
  migrations: number
  /** Candidates that migrated into each island (evolve). */
  migrants: Map<number, Set<string>>
  tuned: Set<string>
  /** Candidates whose outputs were compared with the source kernel's (migrate). */
  sourceChecks: Set<string>
  /**
   * Each candidate's verdict as the log recorded it (verify-end). The result.json beside a
   * candidate is a copy in a folder a kernel under test could reach: never read back as evidence.
   */
  verdicts: Map<string, Verdict>
}

export { emptyUsage }

export function emptyState(runId: string): RunState {
  return {
    ...emptyRunFacts(),
    runId,
    candidates: new Map(),
    elapsedMs: 0,
    decisions: new Map(),
    plans: new Map(),
    migrations: 0,
    migrants: new Map(),
    tuned: new Set(),
    sourceChecks: new Set(),
    verdicts: new Map(),
  }
}

/** Folds one event into the state; pure apart from mutating `state`, so replay equals live. */
export function applyEvent(state: RunState, event: RunEvent, segment: { startedAt: number | null }): void {
  const time = Date.parse(event.time)
  if (segment.startedAt !== null && state.updatedAt !== null) {
    state.elapsedMs += Math.max(0, time - Date.parse(state.updatedAt))
  }
  applyRunFacts(state, event)
  switch (event.type) {
    case 'run-start':
      segment.startedAt = time
      break
    case 'candidate-start':
    case 'candidate-end':
      state.candidates.set(event.candidate.id, event.candidate)
      break
    case 'design-end':
      state.plans.set(event.candidateId, event.answerPath)
      break
    case 'conductor-decision':
      if (event.candidateId) state.decisions.set(event.candidateId, event.action)
      break
    case 'tune-start':
      state.tuned.add(event.candidateId)
      break
    case 'island-migration': {
      state.migrations += 1
      const into = state.migrants.get(event.toIsland) ?? new Set<string>()
      for (const id of event.candidateIds) into.add(id)
      state.migrants.set(event.toIsland, into)
      break
    }
    case 'verify-end':
      if (event.resultPath === `candidates/${event.candidateId}/result.json`) state.verdicts.set(event.candidateId, event.verdict)
      break
    case 'source-check-end':
      state.sourceChecks.add(event.candidateId)
      break
    case 'run-end':
      segment.startedAt = null
      break
    default:
      break
  }
}

export function foldEvents(runId: string, events: Iterable<RunEvent>): RunState {
  const state = emptyState(runId)
  const segment = { startedAt: null as number | null }
  for (const event of events) applyEvent(state, event, segment)
  return state
}

/**
 * The best correct candidate: lowest median time, ties to the earliest. Times from different device
 * models are not comparable, so only candidates measured on the device model of the run's first
 * correct verdict are ranked (verdicts of older logs carry no model and are ranked as before).
 */
export function bestCandidate(candidates: Iterable<CandidateRecord>): CandidateRecord | null {
  let best: CandidateRecord | null = null
  let model: string | null = null
  for (const candidate of candidates) {
    if (candidate.origin === 'migrate-source' || !candidate.verdict?.correct) continue
    const name = candidate.verdict.deviceName ?? null
    if (name !== null && model === null) model = name
    if (name !== null && name !== model) continue
    const time = candidate.verdict.medianMs ?? Number.POSITIVE_INFINITY
    const bestTime = best?.verdict?.medianMs ?? Number.POSITIVE_INFINITY
    if (!best || time < bestTime) best = candidate
  }
  return best
}

/**
 * The run as listed. `live` says whether this process is executing it; `owner` is another process
 * holding its lock. An unfinished run that neither is executing was interrupted.
 */
export function summarize(state: RunState, live: boolean, owner: RunOwner | null = null): RunSummary {
  const spec = state.spec
  if (!spec) throw new Error(`run ${state.runId} has no run-start event`)
  const candidates = [...state.candidates.values()].filter((candidate) => candidate.origin !== 'migrate-source')
  const best = bestCandidate(candidates)
  return {
    id: state.runId,
    title: spec.title,
    taskPath: spec.taskPath,
    dsl: spec.dsl,
    device: spec.device,
    workflow: spec.workflow,
    status: state.status !== 'running' || live ? state.status : owner ? 'running-elsewhere' : 'interrupted',
    endReason: state.endReason,
    endDetail: state.endDetail,
    createdAt: state.createdAt ?? '',
    updatedAt: state.updatedAt ?? '',
    endedAt: state.endedAt,
    steps: state.steps,
    candidates: candidates.length,
    correctCandidates: candidates.filter((candidate) => candidate.verdict?.correct).length,
    best: best
      ? {
          candidateId: best.id,
          medianMs: best.verdict?.medianMs ?? null,
          eagerMs: best.verdict?.eagerMs ?? null,
          compileMs: best.verdict?.compileMs ?? null,
          speedupVsEager: best.speedups?.eager ?? null,
          speedupVsCompile: best.speedups?.compile ?? null,
          noisy: best.verdict?.noisy ?? false,
        }
      : null,
    usage: state.usage,
    replay: state.replayed || Object.values(spec.models).some((value) => value.startsWith('cassette:')),
    models: { ...spec.models },
    elapsedMs: state.elapsedMs,
    fork: spec.fork,
    lastEventSeq: state.nextSeq - 1,
    owner: state.status === 'running' && !live ? owner : null,
  }
}
