import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { AppError } from '../../../agents/contract/result.ts'
import type { SessionInfo } from '../../../agents/contract/sessions.ts'
import type { ProcessManager } from '../process/process-manager.ts'
import { TerminalSession, type SessionSinks } from './terminal-session.ts'

export interface OpenOptions {
  cols?: number
  rows?: number
  cwd?: string
  shell?: string
  python?: string
  title?: string
}

/** Exited sessions kept for their last output and exit code; older ones are forgotten. */
const EXITED_KEPT = 20

/** The terminals of this host: shells opened from the Toolchains view, each with a log file. */
export class SessionManager {
  private readonly sessions = new Map<string, TerminalSession>()

  constructor(
    private readonly processes: ProcessManager,
    private readonly logDir: string,
    private readonly sinks: SessionSinks,
  ) {}

  open(options: OpenOptions = {}): SessionInfo {
    const shell = options.shell ?? process.env.SHELL ?? '/bin/bash'
    if (shell.includes('/') && !existsSync(shell))
      throw new AppError('SESSION_SHELL_MISSING', `The shell ${shell} does not exist; leave the shell empty to use your login shell.`)
    const cwd = options.cwd ?? homedir()
    if (!existsSync(cwd)) throw new AppError('SESSION_CWD_MISSING', `The folder ${cwd} does not exist.`)
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', COLORTERM: 'truecolor' }
    if (options.python) {
      // Put the chosen environment first, as `activate` would, so `python` and `pip` are that environment's.
      const bin = dirname(options.python)
      env.PATH = [bin, env.PATH].filter(Boolean).join(delimiter)
      if (existsSync(join(bin, '..', 'pyvenv.cfg'))) env.VIRTUAL_ENV = dirname(bin)
    }
    mkdirSync(this.logDir, { recursive: true })
    const id = `term-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
    const managed = this.processes.spawnPty({ label: `terminal ${id}`, file: shell, args: [], cwd, env, cols: options.cols, rows: options.rows })
    const session = new TerminalSession(id, options.title ?? shell.split('/').pop() ?? shell, 'shell', cwd, join(this.logDir, `${id}.log`), managed, {
      data: this.sinks.data,
      exit: (exit) => {
        this.forgetOldExited()
        this.sinks.exit(exit)
      },
    })
    this.sessions.set(id, session)
    return session.info()
  }

  get(id: string): TerminalSession {
    const session = this.sessions.get(id)
    if (!session) throw new AppError('SESSION_NOT_FOUND', `There is no terminal session ${id}; it may have been closed. Open a new one.`)
    return session
  }

  list(): SessionInfo[] {
    return [...this.sessions.values()].map((session) => session.info())
  }

  async close(id: string): Promise<SessionInfo> {
    const session = this.get(id)
    await session.close()
    return session.info()
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((session) => session.close()))
  }

  private forgetOldExited(): void {
    const exited = [...this.sessions.values()].filter((session) => session.info().state === 'exited')
    for (const session of exited.slice(0, Math.max(0, exited.length - EXITED_KEPT))) this.sessions.delete(session.id)
  }
}
