import { HARNESS_SCHEMA_VERSION } from '../../../agents/contract/harness-boundary.ts'
import { SharedStart } from '../process/shared-start.ts'
import type { WorkerChannel } from './worker-channel.ts'

export type WorkerState = 'stopped' | 'starting' | 'idle' | 'busy' | 'crashed'

/** Why a request to a worker did not get an answer; the runner turns each into a verdict or an error. */
export class WorkerFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'crashed' | 'start' | 'harness' | 'cancelled',
    message: string,
    readonly detail?: unknown,
  ) {
    super(message)
    this.name = 'WorkerFailure'
  }
}

interface Pending {
  resolve: (value: unknown) => void
  reject: (error: WorkerFailure) => void
  onStage?: (stage: string) => void
}

export interface RequestOptions {
  timeoutMs: number
  signal?: AbortSignal
  onStage?: (stage: string) => void
}

/** Importing torch and creating a CUDA context can take a minute on a cold disk. */
const STARTUP_TIMEOUT_MS = 120_000

/**
 * One `akg_harness serve` process speaking the line protocol: a JSON request per line on stdin,
 * a JSON response per line on stdout with the same id, optional `{"id","event":"stage"}` lines.
 * It serves one request at a time; a timeout, a cancel or a crash kills it, and the next
 * request starts a fresh one.
 */
export class HarnessWorker {
  state: WorkerState = 'stopped'
  /** What the worker is doing now (a stage reported by the harness), for the status view. */
  stage: string | null = null
  restarts = 0
  lastError: string | null = null
  private channel: WorkerChannel | null = null
  private readonly pending = new Map<string, Pending>()
  private readonly starting = new SharedStart<void>()
  private nextId = 1

  constructor(
    readonly key: string,
    private readonly connect: () => Promise<WorkerChannel>,
    private readonly onChange: () => void = () => undefined,
  ) {}

  get pid(): number | null {
    return this.channel?.pid ?? null
  }

  /** Starts the process and waits until it answers; concurrent callers share one start. */
  start(): Promise<void> {
    if (this.channel && (this.state === 'idle' || this.state === 'busy')) return Promise.resolve()
    return this.starting.run(() => this.launch())
  }

  private async launch(): Promise<void> {
    if (this.state === 'crashed') this.restarts += 1
    this.setState('starting')
    let channel: WorkerChannel
    try {
      channel = await this.connect()
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error)
      this.setState('crashed')
      throw new WorkerFailure('start', this.lastError)
    }
    this.channel = channel
    channel.onLine((line) => this.receive(line))
    channel.onClose((how) => this.closed(channel, how))
    try {
      // Any answer, even "unknown command", proves the interpreter, torch and the harness loaded.
      const pong = (await this.exchange('ping', {}, { timeoutMs: STARTUP_TIMEOUT_MS }, channel)) as { schema_version?: unknown } | null
      const version = pong?.schema_version
      if (version !== undefined && version !== HARNESS_SCHEMA_VERSION) {
        throw new WorkerFailure(
          'start',
          `The harness of ${this.key} speaks schema version ${String(version)}; this studio speaks ${HARNESS_SCHEMA_VERSION}. They come from different releases: update the harness that worker runs.`,
        )
      }
    } catch (error) {
      if (!(error instanceof WorkerFailure) || error.kind !== 'harness') {
        await channel.stop(0)
        const message = `The harness worker ${this.key} did not start: ${error instanceof Error ? error.message : String(error)}`
        this.lastError = message
        this.setState('crashed')
        throw new WorkerFailure('start', message, { diagnostics: channel.diagnostics() })
      }
    }
    this.setState('idle')
  }

  /** Sends one request and waits for its response; the worker must be idle. */
  async request(command: string, args: unknown, options: RequestOptions): Promise<unknown> {
    await this.start()
    const channel = this.channel as WorkerChannel
    this.setState('busy')
    try {
      return await this.exchange(command, args, options, channel)
    } finally {
      this.stage = null
      if (this.state === 'busy') this.setState('idle')
    }
  }

  private exchange(command: string, args: unknown, options: RequestOptions, channel: WorkerChannel): Promise<unknown> {
    const id = `${this.key}#${this.nextId++}`
    if (options.signal?.aborted) return Promise.reject(new WorkerFailure('cancelled', 'The evaluation was cancelled.'))
    return new Promise((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer)
        options.signal?.removeEventListener('abort', abort)
        this.pending.delete(id)
      }
      const fail = (failure: WorkerFailure) => {
        settle()
        reject(failure)
      }
      const abort = () => {
        fail(new WorkerFailure('cancelled', 'The evaluation was cancelled.'))
        // The harness cannot drop a kernel mid-launch; only killing the worker frees the device.
        void this.kill()
      }
      const timer = setTimeout(() => {
        fail(new WorkerFailure('timeout', `No answer from ${this.key} within ${Math.round(options.timeoutMs / 1000)} s.`))
        void this.kill()
      }, options.timeoutMs)
      options.signal?.addEventListener('abort', abort, { once: true })
      this.pending.set(id, {
        resolve: (value) => {
          settle()
          resolve(value)
        },
        reject: fail,
        onStage: options.onStage,
      })
      channel.send(JSON.stringify({ id, command, args, schema_version: HARNESS_SCHEMA_VERSION }))
    })
  }

  private receive(line: string): void {
    const trimmed = line.trim()
    if (!trimmed.startsWith('{')) return
    let message: { id?: string; ok?: boolean; result?: unknown; error?: { message?: string }; event?: string; stage?: string }
    try {
      message = JSON.parse(trimmed)
    } catch {
      return
    }
    const pending = message.id ? this.pending.get(message.id) : undefined
    if (!pending) return
    if (message.event === 'stage') {
      this.stage = message.stage ?? null
      pending.onStage?.(this.stage ?? '')
      this.onChange()
      return
    }
    if (message.ok === true) pending.resolve(message.result)
    else if (message.ok === false) pending.reject(new WorkerFailure('harness', message.error?.message ?? 'The harness reported an error.', message.error))
  }

  private closed(channel: WorkerChannel, how: string): void {
    if (this.channel !== channel) return
    this.channel = null
    const diagnostics = channel.diagnostics().trim()
    const lastLines = diagnostics.split('\n').slice(-12).join('\n')
    this.lastError = `The harness worker ${this.key} ${how}.${lastLines ? `\n${lastLines}` : ''}`
    for (const pending of [...this.pending.values()]) pending.reject(new WorkerFailure('crashed', this.lastError, { diagnostics }))
    this.pending.clear()
    this.setState(this.state === 'stopped' ? 'stopped' : 'crashed')
  }

  /** Kills the process (timeout, cancel, fault); the next request starts a new one. */
  async kill(): Promise<void> {
    const channel = this.channel
    if (!channel) return
    // Detach at once: a job queued behind this one must start a new process, not write to a dying one.
    this.channel = null
    for (const pending of [...this.pending.values()]) pending.reject(new WorkerFailure('crashed', `The harness worker ${this.key} was stopped.`))
    this.pending.clear()
    if (this.state !== 'stopped') this.setState('crashed')
    await channel.stop(0)
  }

  async stop(graceMs?: number): Promise<void> {
    const channel = this.channel
    this.setState('stopped')
    if (channel) await channel.stop(graceMs)
    this.channel = null
  }

  private setState(state: WorkerState): void {
    this.state = state
    this.onChange()
  }
}
