import { createInterface } from 'node:readline'
import type { ProcessManager, ManagedChild } from '../process/process-manager.ts'
import { harnessEnvironment } from './harness-environment.ts'

/** A line-oriented connection to one `akg_harness serve` process, local or over SSH. */
export interface WorkerChannel {
  send(line: string): void
  onLine(listener: (line: string) => void): void
  /** Called once when the worker process is gone, with a description of how it ended. */
  onClose(listener: (reason: string) => void): void
  /** Kills the worker and everything it started; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>
  /** The last lines the worker wrote outside the protocol (stderr), for error messages. */
  diagnostics(): string
  readonly pid: number | null
}

/** Stderr kept per worker for error messages; tracebacks are short, a chatty compiler is not. */
const DIAGNOSTICS_LIMIT = 16_384

/** Keeps the tail of a stream of text within a fixed number of characters. */
export class TextTail {
  private text = ''
  constructor(private readonly limit = DIAGNOSTICS_LIMIT) {}
  push(chunk: string): void {
    this.text += chunk
    if (this.text.length > this.limit * 2) this.text = this.text.slice(-this.limit)
  }
  toString(): string {
    return this.text.slice(-this.limit)
  }
}

export interface LocalWorkerSpec {
  label: string
  python: string
  harnessDir: string
  /** Added to the allow-listed environment (device pinning, thread counts, sandbox settings). */
  env: Record<string, string>
  /** Device the worker initialises at start (`cuda:0`), so the first candidate finds a warm context. */
  warmDevice?: string
  cwd?: string
}

/** Starts `PYTHONPATH=<harness> python -m akg_harness serve` with pipes, owned by the process manager. */
export function openLocalChannel(processes: ProcessManager, spec: LocalWorkerSpec): WorkerChannel {
  const managed: ManagedChild = processes.spawnChild({
    label: spec.label,
    file: spec.python,
    args: ['-u', '-m', 'akg_harness', 'serve', ...(spec.warmDevice ? ['--warm-device', spec.warmDevice] : [])],
    cwd: spec.cwd,
    env: harnessEnvironment(spec.harnessDir, spec.env),
  })
  const stderr = new TextTail()
  managed.child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')))
  const lines = createInterface({ input: managed.child.stdout, crlfDelay: Infinity })
  return {
    get pid() {
      return managed.pid
    },
    send(line) {
      if (managed.child.stdin.writable) managed.child.stdin.write(`${line}\n`)
    },
    onLine(listener) {
      lines.on('line', listener)
    },
    onClose(listener) {
      const stderrStream = managed.child.stderr
      const drained = new Promise<void>((resolve) => {
        if (stderrStream.closed) resolve()
        else stderrStream.once('close', () => resolve())
      })
      void managed.exited.then(async (exit) => {
        // A child's exit can be reported before its last stderr bytes (a crash message): wait for the
        // stream to close, but not for a descendant that keeps it open.
        await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 1_000).unref())])
        const how = exit.spawnError
          ? `could not be started: ${exit.spawnError}`
          : exit.signal
            ? `was killed by ${exit.signal}`
            : `exited with code ${exit.code}`
        listener(how)
      })
    },
    async stop(graceMs) {
      await managed.stop(graceMs)
    },
    diagnostics: () => stderr.toString(),
  }
}
