import { createWriteStream, type WriteStream } from 'node:fs'
import type { SessionExit, SessionInfo } from '../../../agents/contract/sessions.ts'
import type { ManagedPty } from '../process/process-manager.ts'
import { FlowControl, Scrollback } from './flow-control.ts'

/** One frame at 60 Hz: batching to it keeps the renderer from drawing many tiny writes per frame. */
export const BATCH_INTERVAL_MS = 16
/** Recent output kept for a reattaching client; about 5 000 lines of 100 characters. */
export const SCROLLBACK_CHARACTERS = 512 * 1024
/** A session's log on disk stops growing here; an endless `yes` must not fill the disk. */
export const LOG_LIMIT_BYTES = 32 * 1024 * 1024

export interface SessionSinks {
  data(id: string, data: string): void
  exit(exit: SessionExit): void
}

/**
 * A pty shown in a terminal: output is batched per frame, flow-controlled by the client's
 * acknowledgements, kept in a bounded scrollback and logged to a file.
 */
export class TerminalSession {
  readonly createdAt = new Date().toISOString()
  private readonly scrollback = new Scrollback(SCROLLBACK_CHARACTERS)
  private readonly flow: FlowControl
  private readonly log: WriteStream
  private logged = 0
  private batch: string[] = []
  private batchTimer: NodeJS.Timeout | null = null
  private exitCode: number | null = null
  private exited = false
  cols: number
  rows: number

  constructor(
    readonly id: string,
    readonly title: string,
    readonly kind: SessionInfo['kind'],
    readonly cwd: string,
    readonly logPath: string,
    private readonly managed: ManagedPty,
    private readonly sinks: SessionSinks,
  ) {
    this.cols = managed.pty.cols
    this.rows = managed.pty.rows
    this.log = createWriteStream(logPath, { flags: 'a', mode: 0o600 })
    this.log.on('error', () => undefined)
    this.flow = new FlowControl(
      () => managed.pty.pause(),
      () => managed.pty.resume(),
    )
    managed.pty.onData((data) => this.receive(data))
    void managed.exited.then((exit) => {
      this.flush()
      this.exited = true
      this.exitCode = exit.code
      this.log.end()
      sinks.exit({ id, exitCode: exit.code, signal: exit.signal })
    })
  }

  private receive(data: string): void {
    this.batch.push(data)
    this.scrollback.push(data)
    this.writeLog(data)
    // Counted on arrival, not on flush, so a burst within one frame is already held back.
    this.flow.sent(data.length)
    this.batchTimer ??= setTimeout(() => this.flush(), BATCH_INTERVAL_MS)
  }

  private flush(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer)
    this.batchTimer = null
    if (this.batch.length === 0) return
    const data = this.batch.join('')
    this.batch = []
    this.sinks.data(this.id, data)
  }

  private writeLog(data: string): void {
    if (this.logged >= LOG_LIMIT_BYTES) return
    const bytes = Buffer.byteLength(data)
    this.logged += bytes
    this.log.write(data)
    if (this.logged >= LOG_LIMIT_BYTES) this.log.write(`\n[log capped at ${LOG_LIMIT_BYTES / 1024 / 1024} MiB; later output is in the terminal only]\n`)
  }

  write(data: string): void {
    if (!this.exited) this.managed.pty.write(data)
  }

  resize(cols: number, rows: number): void {
    if (this.exited) return
    this.managed.pty.resize(cols, rows)
    this.cols = cols
    this.rows = rows
  }

  acknowledge(characters: number): void {
    this.flow.acknowledged(characters)
  }

  /** Characters sent or waiting to be sent and not yet drawn by any client. */
  get inFlight(): number {
    return this.flow.inFlight
  }

  /** Output held in this process: the pending batch plus the scrollback (both bounded). */
  get bufferedCharacters(): number {
    return this.batch.reduce((sum, chunk) => sum + chunk.length, 0) + this.scrollback.size
  }

  recentOutput(): string {
    return this.scrollback.toString()
  }

  async close(): Promise<void> {
    await this.managed.stop()
  }

  info(): SessionInfo {
    return {
      id: this.id,
      title: this.title,
      kind: this.kind,
      pid: this.managed.pid,
      cols: this.cols,
      rows: this.rows,
      cwd: this.cwd,
      state: this.exited ? 'exited' : 'running',
      exitCode: this.exitCode,
      logPath: this.logPath,
      createdAt: this.createdAt,
      paused: this.flow.paused,
    }
  }
}
