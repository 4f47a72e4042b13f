import type { ApiError, RouteInput, RunEvent, RunSpecInput, RunSummary, UnreadableRun } from '../../../agents/contract/index.ts'
import { request, subscribe } from '../transport/index.ts'
import { createCoalescer } from './event-coalescer.ts'
import { applyRunEvents, emptyRunModel, type RunModel } from './run-model.ts'
import type { Loadable, Slice } from './slice.ts'

/** Events per runs.events page while catching up on a run's log (the route allows up to 5000). */
const PAGE_SIZE = 2_000

export interface RunsSlice {
  runList: Loadable<RunSummary[]>
  /** Run folders that cannot be read, with the reason (a corrupt log, no spec). */
  unreadableRuns: UnreadableRun[]
  /** Runs folded from their events, by run id. */
  runModels: Record<string, RunModel>
  /** Why a run's log could not be read, by run id. */
  runErrors: Record<string, ApiError>
  selectedRunId: string | null
  selectedCandidateId: string | null
  loadRuns(): Promise<void>
  /** Shows a run in the Run view, reading its log from where the model stands. */
  openRun(runId: string): Promise<void>
  selectCandidate(candidateId: string | null): void
  startRun(input: RunSpecInput): Promise<{ runId: string } | { error: ApiError }>
  cancelRun(runId: string): Promise<ApiError | null>
  /** Continues an interrupted run from its log and shows it. */
  resumeRun(runId: string): Promise<ApiError | null>
  /** Starts a new run from a candidate (re-verified first) and shows it. */
  forkRun(runId: string, candidateId: string, options?: Omit<RouteInput<'runs.fork'>, 'runId' | 'candidateId'>): Promise<ApiError | null>
  /** Deletes a finished run and its folder. */
  deleteRun(runId: string): Promise<ApiError | null>
}

export const createRunsSlice: Slice<RunsSlice> = (set, get) => {
  const catchingUp = new Set<string>()
  /** The highest seq seen live per run, so a catch-up knows whether it must go round again. */
  const liveHigh = new Map<string, number>()

  // Reads the run's log from disk from the model's next seq until the log says there is no more.
  const catchUp = async (runId: string): Promise<void> => {
    if (catchingUp.has(runId)) return
    catchingUp.add(runId)
    try {
      for (;;) {
        const fromSeq = get().runModels[runId]?.nextSeq ?? 0
        const page = await request('runs.events', { runId, fromSeq, limit: PAGE_SIZE })
        if (!page.ok) {
          set((state) => ({ runErrors: { ...state.runErrors, [runId]: page.error } }))
          return
        }
        if (page.data.events.length > 0) apply(runId, page.data.events)
        const next = get().runModels[runId]?.nextSeq ?? 0
        if (!page.data.more && (liveHigh.get(runId) ?? -1) < next) return
        if (page.data.events.length === 0 && !page.data.more) return
      }
    } finally {
      catchingUp.delete(runId)
    }
  }

  const apply = (runId: string, events: RunEvent[]) => {
    set((state) => ({ runModels: { ...state.runModels, [runId]: applyRunEvents(state.runModels[runId] ?? emptyRunModel(runId), events) } }))
  }

  const live = createCoalescer<RunEvent>((events) => {
    const byRun = new Map<string, RunEvent[]>()
    for (const event of events) {
      const batch = byRun.get(event.runId)
      if (batch) batch.push(event)
      else byRun.set(event.runId, [event])
      liveHigh.set(event.runId, Math.max(liveHigh.get(event.runId) ?? -1, event.seq))
    }
    const gaps: string[] = []
    set((state) => {
      const runModels = { ...state.runModels }
      for (const [runId, batch] of byRun) {
        const model = runModels[runId] ?? emptyRunModel(runId)
        batch.sort((a, b) => a.seq - b.seq)
        // Apply only what continues the log; a gap (we joined late, or missed some) is read from disk.
        let end = 0
        let expected = model.nextSeq
        while (end < batch.length && (batch[end] as RunEvent).seq <= expected) {
          expected = Math.max(expected, (batch[end] as RunEvent).seq + 1)
          end += 1
        }
        if (end > 0) runModels[runId] = applyRunEvents(model, batch.slice(0, end))
        if (end < batch.length) gaps.push(runId)
      }
      return { runModels }
    })
    for (const runId of gaps) void catchUp(runId)
    if (events.some((event) => event.type === 'run-start' || event.type === 'run-end')) void get().loadRuns()
  })
  subscribe('run-event', (event) => live.push(event))

  return {
    runList: { state: 'idle' },
    unreadableRuns: [],
    runModels: {},
    runErrors: {},
    selectedRunId: null,
    selectedCandidateId: null,
    async loadRuns() {
      const current = get().runList
      if (current.state !== 'ready') set({ runList: { state: 'loading' } })
      const [result, unreadable] = await Promise.all([request('runs.list', {}), request('runs.unreadable', {})])
      set({
        runList: result.ok ? { state: 'ready', value: result.data } : { state: 'error', ...result.error },
        unreadableRuns: unreadable.ok ? unreadable.data : [],
      })
    },
    async openRun(runId) {
      set((state) => ({ selectedRunId: runId, selectedCandidateId: state.selectedRunId === runId ? state.selectedCandidateId : null, view: 'run' }))
      set((state) => {
        const { [runId]: _dropped, ...runErrors } = state.runErrors
        return { runErrors }
      })
      await catchUp(runId)
    },
    selectCandidate(candidateId) {
      set({ selectedCandidateId: candidateId })
    },
    async startRun(input) {
      const result = await request('runs.start', input)
      if (!result.ok) return { error: result.error }
      void get().loadRuns()
      await get().openRun(result.data.id)
      return { runId: result.data.id }
    },
    async cancelRun(runId) {
      const result = await request('runs.cancel', { runId })
      return result.ok ? null : result.error
    },
    async resumeRun(runId) {
      const result = await request('runs.resume', { runId })
      if (!result.ok) return result.error
      await get().loadRuns()
      await get().openRun(runId)
      return null
    },
    async forkRun(runId, candidateId, options = {}) {
      const result = await request('runs.fork', { runId, candidateId, ...options })
      if (!result.ok) return result.error
      await get().loadRuns()
      await get().openRun(result.data.id)
      return null
    },
    async deleteRun(runId) {
      const result = await request('runs.delete', { runId })
      if (!result.ok) return result.error
      set((state) => {
        const { [runId]: _gone, ...runModels } = state.runModels
        return { runModels, selectedRunId: state.selectedRunId === runId ? null : state.selectedRunId }
      })
      await get().loadRuns()
      return null
    },
  }
}
