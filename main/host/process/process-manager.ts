import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { spawn as spawnPty, type IPty } from 'node-pty'
import { randomBytes } from 'node:crypto'
import { DEFAULT_STOP_GRACE_MS, ManagedProcess, type ProcessInfo } from './managed-process.ts'
import { processesWithEnvironment } from './process-tree.ts'

export interface ChildOptions {
  label: string
  file: string
  args: string[]
  cwd?: string
  env?: NodeJS.ProcessEnv
}

export interface PtyOptions extends ChildOptions {
  cols?: number
  rows?: number
}

export interface ManagedChild extends ManagedProcess {
  readonly child: ChildProcessWithoutNullStreams
}

export interface ManagedPty extends ManagedProcess {
  readonly pty: IPty
}

export interface JobResult {
  code: number | null
  signal: string | null
  stdout: string
  stderr: string
  timedOut: boolean
  spawnError: string | null
}

/** Set in every child's environment so the shutdown sweep can find even a child that daemonised. */
export const OWNER_VARIABLE = 'AKG_STUDIO_PROCESS_OWNER'

/** Output kept per stream of a job; a runaway command must not fill memory. */
const JOB_OUTPUT_LIMIT = 1 << 20

/**
 * The one owner of every long-lived child process and pty of the host: it spawns them in their
 * own process group, knows their state, and stops them all at shutdown so no orphan survives.
 */
export class ProcessManager {
  private readonly processes = new Map<string, ManagedProcess>()
  private nextId = 1
  private closed = false
  /** This manager's mark, unique per instance so two studios (or tests) never sweep each other's children. */
  readonly owner = `${process.pid}-${randomBytes(6).toString('hex')}`

  spawnChild(options: ChildOptions): ManagedChild {
    this.assertOpen()
    const managed = new ManagedProcess(this.newId('process'), options.label, 'process') as ManagedProcess & { child: ChildProcessWithoutNullStreams }
    const child = spawn(options.file, options.args, {
      cwd: options.cwd,
      env: { ...(options.env ?? process.env), [OWNER_VARIABLE]: this.owner },
      // A new session and process group: stop() and the sweep kill the group with everything it started.
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    Object.defineProperty(managed, 'child', { value: child })
    child.once('spawn', () => managed.markRunning(child.pid as number))
    child.once('error', (error) => {
      if (managed.pid === null) managed.markExited(null, null, error.message)
    })
    child.once('exit', (code, signal) => managed.markExited(code, signal))
    // A child that dies while we write to it must not take the host down with EPIPE.
    child.stdin.on('error', () => undefined)
    this.track(managed)
    return managed
  }

  spawnPty(options: PtyOptions): ManagedPty {
    this.assertOpen()
    const managed = new ManagedProcess(this.newId('pty'), options.label, 'pty') as ManagedProcess & { pty: IPty }
    let pty: IPty
    try {
      pty = spawnPty(options.file, options.args, {
        name: 'xterm-256color',
        cols: options.cols ?? 120,
        rows: options.rows ?? 32,
        cwd: options.cwd ?? process.cwd(),
        env: { ...(options.env ?? process.env), [OWNER_VARIABLE]: this.owner } as Record<string, string>,
      })
    } catch (error) {
      managed.markExited(null, null, error instanceof Error ? error.message : String(error))
      throw error
    }
    Object.defineProperty(managed, 'pty', { value: pty })
    // node-pty's child is a session leader (setsid in forkpty), so its pid is also its group id.
    managed.markRunning(pty.pid)
    pty.onExit(({ exitCode, signal }) => managed.markExited(exitCode, signal ? String(signal) : null))
    this.track(managed)
    return managed
  }

  /** Runs a command to completion under a per-job deadline; on timeout its whole tree is killed. */
  async run(options: ChildOptions & { timeoutMs: number; input?: string }): Promise<JobResult> {
    const managed = this.spawnChild(options)
    let stdout = ''
    let stderr = ''
    let timedOut = false
    managed.child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < JOB_OUTPUT_LIMIT) stdout += chunk.toString('utf8')
    })
    managed.child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < JOB_OUTPUT_LIMIT) stderr += chunk.toString('utf8')
    })
    managed.child.stdin.end(options.input ?? '')
    const timer = setTimeout(() => {
      timedOut = true
      void managed.stop(0)
    }, options.timeoutMs)
    const exit = await managed.exited
    clearTimeout(timer)
    // 'exit' may precede the last 'data'; wait for the streams to close before reading them.
    if (exit.spawnError === null) await new Promise<void>((resolve) => (managed.child.stdout.closed ? resolve() : managed.child.once('close', () => resolve())))
    return { code: exit.code, signal: exit.signal, stdout, stderr, timedOut, spawnError: exit.spawnError }
  }

  list(): ProcessInfo[] {
    return [...this.processes.values()].map((managed) => managed.info())
  }

  get(id: string): ManagedProcess | undefined {
    return this.processes.get(id)
  }

  /** The sweep: stops every child still alive, all at once, and refuses new ones. */
  async shutdown(graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
    this.closed = true
    await Promise.all([...this.processes.values()].map((managed) => managed.stop(graceMs)))
    // What escaped the trees (double-forked daemons) still carries our mark.
    for (const pid of processesWithEnvironment(`${OWNER_VARIABLE}=${this.owner}`)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
  }

  private track(managed: ManagedProcess): void {
    this.processes.set(managed.id, managed)
    // Forget exited children so a long session does not accumulate records.
    void managed.exited.then(() => this.processes.delete(managed.id))
  }

  private newId(prefix: string): string {
    return `${prefix}-${this.nextId++}`
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The host is shutting down; no new process can be started.')
  }
}
