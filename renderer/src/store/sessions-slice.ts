import type { SessionExit, SessionInfo } from '../../../agents/contract/index.ts'
import { request, subscribe } from '../transport/index.ts'
import type { Slice } from './slice.ts'

/**
 * Terminal sessions as data: which exist, which is shown, how they ended. Their output never
 * passes through the store; the terminal component writes it straight into xterm.
 */
export interface SessionsSlice {
  sessions: Record<string, SessionInfo>
  activeSessionId: string | null
  sessionError: { code: string; message: string } | null
  openSession(options?: { python?: string; cols?: number; rows?: number }): Promise<string | null>
  closeSession(id: string): Promise<void>
  showSession(id: string): void
  loadSessions(): Promise<void>
}

export const createSessionsSlice: Slice<SessionsSlice> = (set, get) => {
  subscribe('session-exit', (exit: SessionExit) => {
    const known = get().sessions[exit.id]
    if (known) set({ sessions: { ...get().sessions, [exit.id]: { ...known, state: 'exited', exitCode: exit.exitCode } } })
  })
  return {
    sessions: {},
    activeSessionId: null,
    sessionError: null,
    async openSession(options = {}) {
      const result = await request('sessions.open', options)
      if (!result.ok) {
        set({ sessionError: result.error })
        return null
      }
      set({ sessions: { ...get().sessions, [result.data.id]: result.data }, activeSessionId: result.data.id, sessionError: null })
      return result.data.id
    },
    async closeSession(id) {
      const result = await request('sessions.close', { id })
      if (result.ok) set({ sessions: { ...get().sessions, [id]: result.data } })
      else set({ sessionError: result.error })
    },
    showSession(id) {
      set({ activeSessionId: id })
    },
    async loadSessions() {
      const result = await request('sessions.list', {})
      if (!result.ok) return
      const sessions = Object.fromEntries(result.data.map((session) => [session.id, session]))
      const active = get().activeSessionId
      set({ sessions, activeSessionId: active && sessions[active] ? active : (result.data.find((session) => session.state === 'running')?.id ?? null) })
    },
  }
}
