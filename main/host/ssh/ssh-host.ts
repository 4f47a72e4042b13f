import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { ProcessManager } from '../process/process-manager.ts'
import { planSlots, workerDevice, type SlotSpec } from '../runner/devices.ts'
import type { HarnessWorker } from '../runner/harness-worker.ts'
import type { WorkerChannel } from '../runner/worker-channel.ts'
import type { WorkerHost } from '../runner/worker-host.ts'
import { packHarness, type HarnessArchive } from './harness-archive.ts'
import { RelaySession, type SshTarget } from './relay-session.ts'

export interface SshHostConfig extends SshTarget {
  /** CPU workers on the host; by default none when it has GPUs or NPUs, else one. */
  cpuSlots?: number
  /** Where the host keeps shipped harness versions; ~/.cache/akg-studio there by default. */
  cacheDir?: string
}

/** A candidate or task file larger than this is not a kernel; refuse rather than stream it. */
const MAX_STAGED_BYTES = 8 * 1024 * 1024

/**
 * A GPU server reached with `ssh -tt`: the harness package is shipped over the session (cached on
 * the host by content hash), one relay-backed worker per device, and task and candidate files are
 * sent over the same session before each evaluation.
 */
export class SshWorkerHost implements WorkerHost {
  readonly kind = 'ssh' as const
  private archive: Promise<HarnessArchive> | null = null
  private readonly sessions = new Set<RelaySession>()

  constructor(
    readonly config: SshHostConfig,
    private readonly processes: ProcessManager,
    private readonly harnessDir: string,
    private readonly relayScriptPath: string,
    /** Sandbox settings for the remote harness (allow unsandboxed, limits); the remote finds its own folders. */
    private readonly variables: () => Promise<Record<string, string>> = async () => ({}),
  ) {}

  get name(): string {
    return this.config.name
  }

  private open(): Promise<RelaySession> {
    return RelaySession.open(this.processes, this.config, readFileSync(this.relayScriptPath, 'utf8'))
  }

  async discover(): Promise<SlotSpec[]> {
    const session = await this.open()
    try {
      const found = (await session.call('relay-devices', {}, 180_000)) as { cuda: number; npu: number; cpu_cores: number }
      const accelerators = found.cuda + found.npu
      return planSlots(this.name, { cuda: found.cuda, npu: found.npu, cpuCores: found.cpu_cores }, this.config.cpuSlots ?? (accelerators > 0 ? 0 : 1))
    } finally {
      await session.close()
    }
  }

  private async install(session: RelaySession): Promise<string> {
    this.archive ??= packHarness(this.processes, this.harnessDir)
    const archive = await this.archive
    const { installed } = (await session.call('relay-has', { hash: archive.hash, cache: this.config.cacheDir })) as { installed: boolean }
    if (!installed) await session.call('relay-install', { hash: archive.hash, archive: archive.base64, cache: this.config.cacheDir })
    return archive.hash
  }

  async connect(slot: SlotSpec): Promise<WorkerChannel> {
    const session = await this.open()
    this.sessions.add(session)
    void session.managed.exited.then(() => this.sessions.delete(session))
    try {
      const hash = await this.install(session)
      const warm = slot.kind === 'cpu' ? [] : ['--warm-device', workerDevice(slot)]
      // The data folder is this machine's; the remote harness hides its own.
      const sandbox = { ...(await this.variables()) }
      delete sandbox.AKG_STUDIO_HOME
      await session.call('relay-serve', { hash, env: { ...sandbox, ...slot.env }, arguments: warm, cache: this.config.cacheDir })
    } catch (error) {
      await session.close()
      throw error
    }
    const lines: Array<(line: string) => void> = []
    session.onPassthrough((line) => lines.forEach((listener) => listener(line)))
    return {
      get pid() {
        return session.managed.pid
      },
      send: (line) => session.send(line),
      onLine: (listener) => lines.push(listener),
      onClose: (listener) => {
        void session.managed.exited.then((exit) =>
          listener(exit.signal ? `(ssh session) was killed by ${exit.signal}` : `(ssh session) ended with code ${exit.code}`),
        )
      },
      stop: (graceMs) => session.close(graceMs),
      diagnostics: () => session.diagnostics(),
      relay: session,
    } as WorkerChannel & { relay: RelaySession }
  }

  /** Sends the files over the worker's own session; the relay answers with their paths there. */
  async stageFiles(worker: HarnessWorker, paths: string[]): Promise<string[]> {
    const files = paths.map((path) => {
      const content = readFileSync(path)
      if (content.length > MAX_STAGED_BYTES)
        throw new Error(`${path} is ${content.length} bytes; a task or candidate over ${MAX_STAGED_BYTES} bytes is not sent to ${this.name}.`)
      return { name: basename(path), content: content.toString('base64') }
    })
    const result = (await worker.request('relay-put', { files }, { timeoutMs: 120_000 })) as { paths: string[] }
    return result.paths
  }
}
