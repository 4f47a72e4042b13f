import type { CandidateRecord, RunEvent, RunSpec, RunStatus, RunSummary, StopReason } from '../contract/runs.ts'
import type { StopDecision } from '../roles/conductor.ts'
import { runCandidate } from '../workflows/candidate.ts'
import { runWorkflow } from '../workflows/index.ts'
import type { RunContext, RunDependencies } from './context.ts'
import { diskErrorMessage, isDiskError } from './disk-errors.ts'
import { RunRecorder } from './recorder.ts'
import { applyEvent, bestCandidate, foldEvents, summarize } from './state.ts'
import { interruptionCode } from './interruption.ts'

export interface ExecuteRunOptions {
  runId: string
  spec: RunSpec
  deps: RunDependencies
  /** The task module's text (prompts quote it; the checker reads its dtypes). */
  taskSource: string
  /** migrate: the source kernel's text. */
  sourceCode?: string | null
  /** fork: the code of the candidate the run starts from. */
  forkCode?: string | null
  /** The log so far, when resuming; empty for a new run. */
  priorEvents?: RunEvent[]
  /**
   * The last prior event is this segment's run-start, already in the log (a new run's folder is
   * created with its spec and first event together); it is published, not written again.
   */
  startRecorded?: boolean
  signal: AbortSignal
}

/**
 * The abort reason of a run stopped from outside (the studio or the CLI shutting down): the run is
 * left unfinished, so it lists as interrupted and resumes from its log.
 */
export class RunInterruption extends Error {
  constructor(message = 'The studio stopped while the run was in flight; resume it to continue.') {
    super(message)
    this.name = 'RunInterruption'
  }
}

/** Thrown when the run's own store failed on the disk: the run stopped, unfinished and resumable. */
export class RunStoreFailure extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause })
    this.name = 'RunStoreFailure'
  }
}

const inFlight = (candidate: CandidateRecord): boolean => ['generating', 'checking', 'verifying'].includes(candidate.status)

function statusFor(reason: StopReason, hasCorrect: boolean): RunStatus {
  if (reason === 'cancelled') return 'cancelled'
  // A correct kernel already found is the run's result; a later failure (a model call, a worker)
  // ends the search early, it does not undo the result. The detail says what failed.
  if (reason === 'error') return hasCorrect ? 'completed' : 'failed'
  if (reason === 'correct' || reason === 'search-complete') return 'completed'
  return hasCorrect ? 'completed' : 'stopped'
}

/**
 * Executes (or resumes) one run: replays its log into state, closes the candidates a crash left
 * in flight, runs the workflow, and records run-end. Every state change goes through the log.
 */
export async function executeRun(options: ExecuteRunOptions): Promise<RunSummary> {
  const prior = options.priorEvents ?? []
  const state = foldEvents(options.runId, prior)
  const segment = { startedAt: null as number | null }
  const recorder = new RunRecorder(
    options.runId,
    options.deps.store,
    options.deps.clock,
    (event) => applyEvent(state, event, segment),
    state.nextSeq,
    (event) => options.deps.onEvent?.(event),
  )
  let candidateCount = state.candidates.size
  let steps = state.steps
  const context: RunContext = {
    runId: options.runId,
    spec: options.spec,
    deps: options.deps,
    recorder,
    state,
    signal: options.signal,
    taskSource: options.taskSource,
    segmentStartedAt: options.deps.clock.now(),
    priorElapsedMs: state.elapsedMs,
    nextCandidateId: () => `c${String(++candidateCount).padStart(4, '0')}`,
    nextStep: () => ++steps,
    stepsAllocated: () => steps,
  }
  const recordedStart = options.startRecorded ? prior[prior.length - 1] : undefined
  let stop: StopDecision
  try {
    if (recordedStart?.type === 'run-start') {
      segment.startedAt = Date.parse(recordedStart.time)
      options.deps.onEvent?.(recordedStart)
    } else await recorder.emit({ type: 'run-start', spec: options.spec, resumed: prior.length > 0 })
    for (const candidate of [...state.candidates.values()].filter(inFlight)) {
      // The step in flight when the process died is the only thing lost; close it so the log stays whole.
      await recorder.emit({
        type: 'candidate-end',
        candidate: { ...candidate, status: 'cancelled', timing: { ...candidate.timing, endedAt: new Date(options.deps.clock.now()).toISOString() } },
      })
    }
    await recorder.flush()
    if (options.spec.fork && options.forkCode && state.candidates.size === 0) {
      await runCandidate(context, { origin: 'fork', parent: null, mode: { kind: 'given', code: options.forkCode } })
    }
    stop = await runWorkflow(context, { sourceCode: options.sourceCode ?? null })
  } catch (error) {
    if (isDiskError(error)) return stopOnDisk(options, recorder, error)
    const interrupted = interruptionCode(error)
    if (interrupted && !options.signal.aborted) {
      // No run-end: the run lists as interrupted and `resume` continues it where it stopped.
      await recorder.emit({
        type: 'run-error',
        candidateId: null,
        fatal: true,
        code: interrupted,
        message: error instanceof Error ? error.message : String(error),
      })
      await recorder.flush()
      return summarize(state, false)
    }
    if (options.signal.aborted) stop = { reason: 'cancelled', detail: 'cancelled by the user' }
    else {
      const message = error instanceof Error ? error.message : String(error)
      await recorder.emit({ type: 'run-error', candidateId: null, fatal: true, code: 'RUN_FAILED', message })
      stop = { reason: 'error', detail: message }
    }
  }
  if (options.signal.reason instanceof RunInterruption) {
    // No run-end: the log stays unfinished, so the run lists as interrupted and can be resumed.
    await recorder.emit({ type: 'run-error', candidateId: null, fatal: false, code: 'RUN_INTERRUPTED', message: options.signal.reason.message })
    await recorder.flush()
    return summarize(state, false)
  }
  if (options.signal.aborted && stop.reason !== 'cancelled') stop = { reason: 'cancelled', detail: 'cancelled by the user' }
  const best = bestCandidate(state.candidates.values())
  if (stop.reason === 'error' && best) stop = { ...stop, detail: `${best.id} is correct; the search then stopped on an error: ${stop.detail}` }
  await recorder.emit({
    type: 'run-end',
    reason: stop.reason,
    status: statusFor(stop.reason, best !== null),
    bestCandidateId: best?.id ?? null,
    detail: stop.detail,
  })
  await recorder.flush()
  return summarize(state, false)
}

/**
 * A full, over-quota or read-only disk ends the run at once: another candidate would only spend
 * a model call on a result that cannot be stored. The reason is published live and, if the disk
 * still takes it, logged; no run-end is written, so the run stays resumable.
 */
async function stopOnDisk(options: ExecuteRunOptions, recorder: RunRecorder, error: unknown): Promise<never> {
  const message = diskErrorMessage(error, options.runId)
  try {
    await recorder.emit({ type: 'run-error', candidateId: null, fatal: false, code: 'DISK_ERROR', message })
    await recorder.flush()
  } catch {
    options.deps.onEvent?.({
      type: 'run-error',
      runId: options.runId,
      seq: -1,
      time: new Date(options.deps.clock.now()).toISOString(),
      candidateId: null,
      fatal: true,
      code: 'DISK_ERROR',
      message,
    })
  }
  throw new RunStoreFailure(message, error)
}
