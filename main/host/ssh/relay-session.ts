import type { ManagedPty, ProcessManager } from '../process/process-manager.ts'
import { TextTail } from '../runner/worker-channel.ts'

export interface SshTarget {
  /** The name the studio shows; also the device prefix (`gpu-box:cuda:1`). */
  name: string
  /** What `ssh` connects to: `user@host`, or an alias from ~/.ssh/config. */
  destination: string
  port?: number
  /** Python on the remote host; `python3` from its PATH when absent. */
  python?: string
  /** Extra ssh options (`-i ~/.ssh/gpu_key`, `-o ProxyJump=bastion`); keys stay in the user's ssh setup. */
  sshOptions?: string[]
}

/** Seconds to reach the host and start Python there; ssh's own ConnectTimeout is shorter. */
const CONNECT_TIMEOUT_MS = 60_000

/**
 * One `ssh -tt` session in a pty running the relay (relay.py): a JSON-lines pipe to the host.
 * Relay commands (install, put, devices, serve) are answered here; every other line belongs to
 * the harness worker behind it.
 */
export class RelaySession {
  private buffer = ''
  private ready = false
  private readonly noise = new TextTail()
  private readonly waiting = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  private passthrough: ((line: string) => void) | null = null
  private nextId = 1
  readonly managed: ManagedPty

  private constructor(
    processes: ProcessManager,
    readonly target: SshTarget,
    relayScript: string,
  ) {
    const encoded = Buffer.from(relayScript).toString('base64')
    const python = target.python ?? 'python3'
    // base64 needs no quoting in any shell; the relay decodes and runs itself.
    const remote = `exec ${python} -c "import base64;exec(base64.b64decode('${encoded}'))"`
    const args = ['-tt', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20', '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=4']
    if (target.port) args.push('-p', String(target.port))
    args.push(...(target.sshOptions ?? []), target.destination, remote)
    this.managed = processes.spawnPty({ label: `ssh ${target.name}`, file: 'ssh', args, cols: 500, rows: 50 })
    this.managed.pty.onData((data) => this.receive(data))
  }

  /** Connects and waits for the relay to say it runs, or fails with what is missing there. */
  static async open(processes: ProcessManager, target: SshTarget, relayScript: string): Promise<RelaySession> {
    const session = new RelaySession(processes, target, relayScript)
    const readyOrExit = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${target.name}: no answer from ${target.destination} within ${CONNECT_TIMEOUT_MS / 1000} s.`)),
        CONNECT_TIMEOUT_MS,
      )
      session.onReady = () => {
        clearTimeout(timer)
        resolve()
      }
      void session.managed.exited.then((exit) => {
        clearTimeout(timer)
        reject(new Error(explainFailure(target, exit.code, session.noise.toString())))
      })
    })
    try {
      await readyOrExit
    } catch (error) {
      await session.close()
      throw error
    }
    return session
  }

  private onReady: () => void = () => undefined

  private receive(data: string): void {
    this.buffer += data
    let newline = this.buffer.indexOf('\n')
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, '')
      this.buffer = this.buffer.slice(newline + 1)
      this.line(line)
      newline = this.buffer.indexOf('\n')
    }
  }

  private line(line: string): void {
    let message: { id?: string; event?: string; ok?: boolean; result?: unknown; error?: { message?: string }; text?: string; code?: number }
    try {
      message = line.trimStart().startsWith('{') ? JSON.parse(line) : null
    } catch {
      message = null as never
    }
    if (!message) return this.noise.push(`${line}\n`)
    if (message.event === 'relay-ready') {
      this.ready = true
      return this.onReady()
    }
    if (message.event === 'stderr') return this.noise.push(message.text ?? '')
    if (message.event === 'serve-exit') {
      this.noise.push(`akg_harness serve exited with code ${message.code}\n`)
      // The worker behind the relay is gone: end the session so the runner sees a closed channel.
      void this.close()
      return
    }
    const waiter = message.id ? this.waiting.get(message.id) : undefined
    if (waiter && message.ok !== undefined) {
      this.waiting.delete(message.id as string)
      if (message.ok) waiter.resolve(message.result)
      else waiter.reject(new Error(`${this.target.name}: ${message.error?.message ?? 'the relay failed'}`))
      return
    }
    this.passthrough?.(line)
  }

  /** A relay command (relay-has, relay-install, relay-put, relay-devices, relay-serve). */
  call(command: string, args: unknown, timeoutMs = 300_000): Promise<unknown> {
    if (!this.ready) return Promise.reject(new Error(`${this.target.name}: the relay is not running.`))
    const id = `relay-${this.nextId++}`
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(new Error(`${this.target.name}: ${command} got no answer within ${timeoutMs / 1000} s.`))
      }, timeoutMs)
      const exited = (exit: { code: number | null }) => reject(new Error(explainFailure(this.target, exit.code, this.noise.toString())))
      void this.managed.exited.then(exited)
      this.waiting.set(id, {
        resolve: (value) => {
          clearTimeout(timer)
          resolve(value)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      })
      this.send(JSON.stringify({ id, command, args }))
    })
  }

  send(line: string): void {
    if (this.managed.exit === null) this.managed.pty.write(`${line}\n`)
  }

  /** Lines for the harness worker behind the relay. */
  onPassthrough(listener: (line: string) => void): void {
    this.passthrough = listener
  }

  diagnostics(): string {
    return this.noise.toString()
  }

  async close(graceMs = 2_000): Promise<void> {
    await this.managed.stop(graceMs)
  }
}

/** Turns ssh's exit and last words into a sentence that says what is missing and where. */
export function explainFailure(target: SshTarget, code: number | null, output: string): string {
  const last = output.trim().split('\n').slice(-4).join(' ').trim()
  const python = target.python ?? 'python3'
  if (
    code === 255 ||
    /Could not resolve|Connection refused|Connection timed out|No route to host|Permission denied|Host key verification failed/i.test(output)
  ) {
    return `Cannot reach ${target.destination} over SSH (${last || `ssh exit code ${code}`}). Check that \`ssh ${target.port ? `-p ${target.port} ` : ''}${target.destination}\` works in a terminal without a password prompt; keys come from your ssh setup.`
  }
  if (code === 127 || /not found|No such file/i.test(last)) {
    return `Python was not found on ${target.name}: \`${python}\` is not on the remote PATH (${last}). Install Python 3.9+ there with torch, or set this host's Python to its full path.`
  }
  return `The session to ${target.name} ended (exit code ${code}): ${last || 'no output'}`
}
