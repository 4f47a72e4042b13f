import type { ApiError, BenchReport, BenchSummary, RouteInput } from '../../../agents/contract/index.ts'
import { request, subscribe } from '../transport/index.ts'
import type { Loadable, Slice } from './slice.ts'

export interface BenchSlice {
  benchList: Loadable<BenchSummary[]>
  benchReports: Record<string, Loadable<BenchReport>>
  selectedBenchId: string | null
  loadBenches(): Promise<void>
  openBench(benchId: string): Promise<void>
  startBench(input: RouteInput<'bench.start'>): Promise<ApiError | null>
}

export const createBenchSlice: Slice<BenchSlice> = (set, get) => {
  // Progress arrives once per finished task; the open report is read again then, not per event.
  subscribe('bench-progress', (summary) => {
    set((state) => {
      const list = state.benchList.state === 'ready' ? state.benchList.value : []
      const next = list.some((item) => item.id === summary.id) ? list.map((item) => (item.id === summary.id ? summary : item)) : [summary, ...list]
      return { benchList: { state: 'ready', value: next } }
    })
    if (get().selectedBenchId === summary.id) void get().openBench(summary.id)
  })
  return {
    benchList: { state: 'idle' },
    benchReports: {},
    selectedBenchId: null,
    async loadBenches() {
      const result = await request('bench.list', {})
      set({ benchList: result.ok ? { state: 'ready', value: result.data } : { state: 'error', ...result.error } })
    },
    async openBench(benchId) {
      set((state) => ({
        selectedBenchId: benchId,
        benchReports: state.benchReports[benchId] ? state.benchReports : { ...state.benchReports, [benchId]: { state: 'loading' } },
      }))
      const result = await request('bench.get', { benchId })
      set((state) => ({
        benchReports: { ...state.benchReports, [benchId]: result.ok ? { state: 'ready', value: result.data } : { state: 'error', ...result.error } },
      }))
    },
    async startBench(input) {
      const result = await request('bench.start', input)
      if (!result.ok) return result.error
      await get().loadBenches()
      await get().openBench(result.data.id)
      return null
    },
  }
}
