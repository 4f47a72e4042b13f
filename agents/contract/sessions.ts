import { z } from 'zod'
import { route } from './define.ts'

/** A terminal session: a shell the user opened, or a pty the runner uses (an SSH worker). */
export interface SessionInfo {
  id: string
  title: string
  kind: 'shell' | 'runner'
  pid: number | null
  cols: number
  rows: number
  cwd: string
  state: 'running' | 'exited'
  exitCode: number | null
  /** The session's full output on disk (capped), for what scrolled out of the terminal. */
  logPath: string
  createdAt: string
  /** True while output is held back because the screen has not caught up (flow control). */
  paused: boolean
}

/** A batch of a session's output (~16 ms of it). The client acknowledges it once drawn. */
export interface SessionData {
  id: string
  data: string
}

export interface SessionExit {
  id: string
  exitCode: number | null
  signal: string | null
}

const id = z.string().min(1).max(100)
const cols = z.number().int().min(2).max(1000)
const rows = z.number().int().min(1).max(500)

export const sessionRoutes = {
  'sessions.open': route<SessionInfo>()(
    z
      .object({
        cols: cols.optional(),
        rows: rows.optional(),
        cwd: z.string().min(1).optional(),
        /** A shell program; the user's login shell when absent. */
        shell: z.string().min(1).optional(),
        /** A Python interpreter whose folder goes first on PATH, so `python` is the chosen environment. */
        python: z.string().min(1).optional(),
        title: z.string().max(200).optional(),
      })
      .strict(),
  ),
  'sessions.write': route<{ written: number }>()(z.object({ id, data: z.string().max(1_000_000) }).strict()),
  'sessions.resize': route<SessionInfo>()(z.object({ id, cols, rows }).strict()),
  /** The client drew this many characters; output resumes once few enough are in flight. */
  'sessions.ack': route<{ paused: boolean }>()(z.object({ id, characters: z.number().int().min(0) }).strict()),
  'sessions.close': route<SessionInfo>()(z.object({ id }).strict()),
  'sessions.list': route<SessionInfo[]>()(z.object({}).strict()),
  /** Reattach after a reload: the session and its recent output (bounded scrollback). */
  'sessions.attach': route<{ session: SessionInfo; scrollback: string }>()(z.object({ id }).strict()),
}
