import { descendantsOf, signalTree } from './process-tree.ts'

/** Where a managed child stands; `crashed` is an exit nobody asked for with a failure code or signal. */
export type ProcessState = 'starting' | 'running' | 'stopping' | 'stopped' | 'crashed'

export interface ExitInfo {
  code: number | null
  signal: string | null
  /** True when the exit followed a stop() (or the shutdown sweep). */
  requested: boolean
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  spawnError: string | null
}

export interface ProcessInfo {
  id: string
  label: string
  kind: 'process' | 'pty'
  pid: number | null
  state: ProcessState
  startedAt: string
  exit: ExitInfo | null
}

/** Seconds a child gets after SIGTERM before SIGKILL; long enough for Python to flush, short enough to not stall a run. */
export const DEFAULT_STOP_GRACE_MS = 3_000

/**
 * One child process or pty owned by the process manager. The child leads its own process group
 * (spawned detached, or a pty's session), so stopping it signals the group and every descendant.
 */
export class ManagedProcess {
  state: ProcessState = 'starting'
  pid: number | null = null
  exit: ExitInfo | null = null
  readonly startedAt = new Date().toISOString()
  readonly exited: Promise<ExitInfo>
  private resolveExit!: (exit: ExitInfo) => void
  private stopping: Promise<ExitInfo> | null = null
  private readonly stateListeners = new Set<(state: ProcessState) => void>()

  constructor(
    readonly id: string,
    readonly label: string,
    readonly kind: 'process' | 'pty',
  ) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve))
  }

  info(): ProcessInfo {
    return { id: this.id, label: this.label, kind: this.kind, pid: this.pid, state: this.state, startedAt: this.startedAt, exit: this.exit }
  }

  onState(listener: (state: ProcessState) => void): () => void {
    this.stateListeners.add(listener)
    return () => this.stateListeners.delete(listener)
  }

  /** Called by the spawner once the operating system has started the child. */
  markRunning(pid: number): void {
    this.pid = pid
    if (this.state === 'starting') this.setState('running')
  }

  /** Called by the spawner when the child is gone, whatever the reason. */
  markExited(code: number | null, signal: string | null, spawnError: string | null = null): void {
    if (this.exit) return
    const requested = this.stopping !== null
    this.exit = { code, signal, requested, spawnError }
    const clean = requested || (spawnError === null && code === 0 && !signal)
    this.setState(clean ? 'stopped' : 'crashed')
    this.resolveExit(this.exit)
  }

  /**
   * Asks the child to stop (SIGTERM to its group and descendants), then forces it (SIGKILL) after
   * the grace period. Idempotent: every caller gets the same promise of the exit.
   */
  stop(graceMs = DEFAULT_STOP_GRACE_MS): Promise<ExitInfo> {
    if (this.exit) return Promise.resolve(this.exit)
    if (this.stopping) return this.stopping
    this.setState('stopping')
    this.stopping = this.terminate(graceMs)
    return this.stopping
  }

  private async terminate(graceMs: number): Promise<ExitInfo> {
    const pid = this.pid
    if (pid === null) return this.exited
    // Collected before the first signal: once the leader dies its children are re-parented and lost.
    const tree = descendantsOf(pid)
    signalTree(pid, tree, graceMs > 0 ? 'SIGTERM' : 'SIGKILL')
    let timer: NodeJS.Timeout | undefined
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs)
    })
    const first = await Promise.race([this.exited.then(() => 'exited' as const), forced.then(() => 'deadline' as const)])
    clearTimeout(timer)
    // Even after a clean exit of the leader, its helpers may linger: always finish with SIGKILL.
    signalTree(pid, [...tree, ...descendantsOf(pid)], 'SIGKILL')
    if (first === 'deadline') {
      // A child stuck in uninterruptible sleep may take a moment more; do not wait forever.
      await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 2_000).unref())])
      if (!this.exit) this.markExited(null, 'SIGKILL')
    }
    return this.exited
  }

  private setState(state: ProcessState): void {
    this.state = state
    for (const listener of this.stateListeners) listener(state)
  }
}
