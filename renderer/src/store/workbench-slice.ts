import type { ApiError, SampleStart, VenvPlan, VenvProgress } from '../../../agents/contract/index.ts'
import { request, subscribe } from '../transport/index.ts'
import type { Loadable, Slice } from './slice.ts'

export interface WorkbenchSlice {
  /** The sample replay run started from the first-run screen or the palette. */
  sampleStart: Loadable<SampleStart>
  venvPlan: Loadable<VenvPlan>
  /** The latest line of the project environment's creation, with its start time for the elapsed clock. */
  venvProgress: (VenvProgress & { startedAt: number; running: boolean }) | null
  /** The backend's data folder (app.info), for paths of run artifacts. */
  dataDir: string | null
  /** Up to two candidates (of one run or two) shown side by side in Compare. */
  comparePicks: Array<{ runId: string; candidateId: string }>
  /** Adds a candidate to the comparison (the oldest pick leaves past two) and shows Compare once there are two. */
  pickForCompare(runId: string, candidateId: string): void
  setComparePicks(picks: Array<{ runId: string; candidateId: string }>): void
  clearCompare(): void
  startSamples(): Promise<ApiError | null>
  loadVenvPlan(): Promise<void>
  createVenv(): Promise<ApiError | null>
}

export const createWorkbenchSlice: Slice<WorkbenchSlice> = (set, get) => {
  subscribe('venv-progress', (progress) =>
    set((state) => ({
      venvProgress: {
        ...progress,
        startedAt: state.venvProgress?.startedAt ?? Date.now() - progress.elapsedMs,
        running: progress.stage !== 'done' && progress.stage !== 'error',
      },
    })),
  )
  void request('app.info', {}).then((result) => result.ok && set({ dataDir: result.data.dataDir }))
  return {
    sampleStart: { state: 'idle' },
    venvPlan: { state: 'idle' },
    venvProgress: null,
    dataDir: null,
    comparePicks: [],
    pickForCompare(runId, candidateId) {
      const picks = [...get().comparePicks.filter((pick) => !(pick.runId === runId && pick.candidateId === candidateId)), { runId, candidateId }].slice(-2)
      set({ comparePicks: picks })
      if (picks.length === 2) get().setView('compare')
    },
    setComparePicks: (picks) => set({ comparePicks: picks.slice(-2) }),
    clearCompare: () => set({ comparePicks: [] }),
    async startSamples() {
      set({ sampleStart: { state: 'loading' } })
      const result = await request('samples.start', {})
      if (!result.ok) {
        set({ sampleStart: { state: 'error', ...result.error } })
        return result.error
      }
      set({ sampleStart: { state: 'ready', value: result.data } })
      void get().checkProviders()
      void get().loadRuns()
      await get().openRun(result.data.run.id)
      return null
    },
    async loadVenvPlan() {
      set({ venvPlan: { state: 'loading' } })
      const result = await request('toolchain.venvPlan', {})
      set({ venvPlan: result.ok ? { state: 'ready', value: result.data } : { state: 'error', ...result.error } })
    },
    async createVenv() {
      set({ venvProgress: { stage: 'venv', line: 'starting', elapsedMs: 0, step: 0, steps: 3, startedAt: Date.now(), running: true } })
      const result = await request('toolchain.createVenv', {})
      if (!result.ok) {
        set((state) => ({ venvProgress: state.venvProgress ? { ...state.venvProgress, stage: 'error', line: result.error.message, running: false } : null }))
        return result.error
      }
      set((state) => ({ venvProgress: state.venvProgress ? { ...state.venvProgress, stage: 'done', running: false } : null }))
      await Promise.all([get().detectToolchain(true), get().loadVenvPlan()])
      return null
    },
  }
}
