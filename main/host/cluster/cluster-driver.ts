import { createInterface } from 'node:readline'
import type { ManagedChild, ProcessManager } from '../process/process-manager.ts'
import { TextTail } from '../runner/worker-channel.ts'

/** Connecting imports Ray and reaches the cluster's control store; a slow network needs time. */
const CONNECT_TIMEOUT_MS = 120_000
/** Starting an actor waits for a free device and a warm harness worker on its node. */
export const OPEN_TIMEOUT_MS = 600_000

export interface DriverOptions {
  processes: ProcessManager
  python: string
  harnessDir: string
  address: string
  env: Record<string, string>
  cwd?: string
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }

/**
 * The studio's one connection to a Ray cluster: `akg_harness cluster-driver` (the Ray driver) on
 * this machine, speaking JSON lines. Control calls (connect, inventory, open, close) are answered
 * here; lines tagged with a slot belong to that slot's worker channel.
 */
export class ClusterDriver {
  private readonly managed: ManagedChild
  private readonly pending = new Map<string, Pending>()
  private readonly slotListeners = new Map<string, (line: string) => void>()
  private readonly stderr = new TextTail()
  private nextId = 1
  /** Why the cluster is gone (the driver said so, or exited); null while it is there. */
  lostReason: string | null = null
  readonly exited: Promise<void>
  private readonly lostListeners = new Set<(reason: string) => void>()

  constructor(options: DriverOptions) {
    const pythonPath = [options.harnessDir, options.env.PYTHONPATH].filter(Boolean).join(':')
    this.managed = options.processes.spawnChild({
      label: `ray driver ${options.address}`,
      file: options.python,
      args: ['-u', '-m', 'akg_harness', 'cluster-driver', '--address', options.address],
      cwd: options.cwd,
      env: { ...options.env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1' },
    })
    this.managed.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString('utf8')))
    createInterface({ input: this.managed.child.stdout, crlfDelay: Infinity }).on('line', (line) => this.receive(line))
    this.exited = this.managed.exited.then((exit) => {
      const how = exit.spawnError ? `could not be started (${exit.spawnError})` : exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`
      this.markLost(`the Ray driver ${how}${this.lastError()}`)
    })
  }

  get pid(): number | null {
    return this.managed.pid
  }

  private lastError(): string {
    const lines = this.stderr.toString().trim().split('\n').filter(Boolean)
    return lines.length ? `: ${lines[lines.length - 1]}` : ''
  }

  private receive(line: string): void {
    let message: { cid?: string; ok?: boolean; result?: unknown; error?: { message?: string }; slot?: string; line?: string; event?: string; reason?: string }
    try {
      message = JSON.parse(line)
    } catch {
      return
    }
    if (message.event === 'cluster-lost') return this.markLost(message.reason ?? 'the cluster went away')
    if (typeof message.slot === 'string' && typeof message.line === 'string') {
      this.slotListeners.get(message.slot)?.(message.line)
      return
    }
    if (typeof message.cid !== 'string') return
    const waiting = this.pending.get(message.cid)
    if (!waiting) return
    this.pending.delete(message.cid)
    clearTimeout(waiting.timer)
    if (message.ok) waiting.resolve(message.result)
    else waiting.reject(new Error(message.error?.message ?? 'the Ray driver refused the request'))
  }

  private markLost(reason: string): void {
    if (this.lostReason !== null) return
    this.lostReason = reason
    for (const [, waiting] of this.pending) {
      clearTimeout(waiting.timer)
      waiting.reject(new Error(reason))
    }
    this.pending.clear()
    for (const listener of this.lostListeners) listener(reason)
  }

  onLost(listener: (reason: string) => void): void {
    if (this.lostReason !== null) listener(this.lostReason)
    else this.lostListeners.add(listener)
  }

  control<T>(name: string, fields: Record<string, unknown> = {}, timeoutMs = CONNECT_TIMEOUT_MS): Promise<T> {
    if (this.lostReason !== null) return Promise.reject(new Error(this.lostReason))
    const cid = String(this.nextId++)
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cid)
        reject(new Error(`the Ray driver did not answer "${name}" within ${Math.round(timeoutMs / 1000)} s${this.lastError()}`))
      }, timeoutMs)
      this.pending.set(cid, { resolve: resolve as (value: unknown) => void, reject, timer })
      this.write({ cid, control: name, ...fields })
    })
  }

  /** Routes a slot's answer lines to its channel; sending is `sendToSlot`. */
  attachSlot(slot: string, listener: (line: string) => void): void {
    this.slotListeners.set(slot, listener)
  }

  detachSlot(slot: string): void {
    this.slotListeners.delete(slot)
  }

  sendToSlot(slot: string, line: string): void {
    this.write({ slot, line })
  }

  private write(message: unknown): void {
    if (this.managed.child.stdin.writable) this.managed.child.stdin.write(`${JSON.stringify(message)}\n`)
  }

  diagnostics(): string {
    return this.stderr.toString()
  }

  async stop(): Promise<void> {
    if (this.lostReason === null) await this.control('shutdown', {}, 10_000).catch(() => undefined)
    await this.managed.stop(2_000)
  }
}
