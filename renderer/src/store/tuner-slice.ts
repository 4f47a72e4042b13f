import type { ApiError, EvaluationRecord, RouteInput, TuneProgress, TunerPresetList, TuneSession } from '../../../agents/contract/index.ts'
import { request, subscribe } from '../transport/index.ts'
import type { Loadable, Slice } from './slice.ts'

export interface TunerSlice {
  /** Tuning sessions of this backend, keyed by id, newest first in tuneOrder. */
  tuneSessions: Record<string, TuneSession>
  tuneOrder: string[]
  selectedTuneId: string | null
  tunePresets: Loadable<TunerPresetList>
  loadTuneSessions(): Promise<void>
  loadTunePresets(): Promise<void>
  startTune(input: RouteInput<'tuner.start'>): Promise<ApiError | null>
  cancelTune(id: string): Promise<ApiError | null>
  selectTune(id: string): void
}

/** Records arrive one per evaluation (a few per second at most); they are folded in every 100 ms. */
const FLUSH_MS = 100

export const createTunerSlice: Slice<TunerSlice> = (set, get) => {
  let pending: Array<{ id: string; record: EvaluationRecord; progress: TuneProgress }> = []
  let timer: ReturnType<typeof setTimeout> | null = null
  const upsert = (session: TuneSession) =>
    set((state) => ({
      tuneSessions: { ...state.tuneSessions, [session.id]: session },
      tuneOrder: state.tuneOrder.includes(session.id) ? state.tuneOrder : [session.id, ...state.tuneOrder],
    }))
  const flush = () => {
    timer = null
    const batch = pending
    pending = []
    set((state) => {
      const sessions = { ...state.tuneSessions }
      for (const { id, record, progress } of batch) {
        const session = sessions[id]
        // A record of a session this window has not heard of is picked up by the next tuner.list.
        if (!session || session.records.some((item) => item.index === record.index)) continue
        sessions[id] = { ...session, records: [...session.records, record], progress, best: progress.best }
      }
      return { tuneSessions: sessions }
    })
  }
  subscribe('tune-start', (session) => upsert(session))
  subscribe('tune-progress', (payload) => {
    pending.push(payload)
    timer ??= setTimeout(flush, FLUSH_MS)
  })
  subscribe('tune-end', (session) => {
    if (timer) clearTimeout(timer)
    flush()
    upsert(session)
  })
  return {
    tuneSessions: {},
    tuneOrder: [],
    selectedTuneId: null,
    tunePresets: { state: 'idle' },
    async loadTuneSessions() {
      const result = await request('tuner.list', {})
      if (!result.ok) return
      const sorted = [...result.data].sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      set({ tuneSessions: Object.fromEntries(sorted.map((session) => [session.id, session])), tuneOrder: sorted.map((session) => session.id) })
      if (get().selectedTuneId === null && sorted[0]) set({ selectedTuneId: sorted[0].id })
    },
    async loadTunePresets() {
      set({ tunePresets: { state: 'loading' } })
      const result = await request('tuner.presets', {})
      set({ tunePresets: result.ok ? { state: 'ready', value: result.data } : { state: 'error', ...result.error } })
    },
    async startTune(input) {
      const result = await request('tuner.start', input)
      if (!result.ok) return result.error
      upsert(result.data)
      set({ selectedTuneId: result.data.id })
      return null
    },
    async cancelTune(id) {
      const result = await request('tuner.cancel', { id })
      if (!result.ok) return result.error
      upsert(result.data)
      return null
    },
    selectTune: (id) => set({ selectedTuneId: id }),
  }
}
