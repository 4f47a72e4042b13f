import { cpus } from 'node:os'
import { resolve } from 'node:path'
import type { ProcessManager } from '../process/process-manager.ts'
import { harnessEnvironment } from './harness-environment.ts'
import { defaultCpuSlots, planSlots, workerDevice, type HostDevices, type SlotSpec } from './devices.ts'
import { openLocalChannel, type WorkerChannel } from './worker-channel.ts'
import type { WorkerHost } from './worker-host.ts'

/** A cold nvcc build of a big kernel takes minutes; past this the evaluation builds it itself. */
const PRECOMPILE_TIMEOUT_MS = 600_000

/** Runs at most `limit` tasks at once, the rest in arrival order. */
class BuildLimiter {
  private running = 0
  private readonly waiting: Array<() => void> = []
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.running += 1
    try {
      return await task()
    } finally {
      this.running -= 1
      this.waiting.shift()?.()
    }
  }
}

/** Counting devices imports torch (and torch_npu where present): a few seconds cold. */
const DEVICE_PROBE_TIMEOUT_MS = 90_000

/** Prints one JSON line: how many CUDA and NPU devices this interpreter's torch can see. */
export const DEVICE_PROBE = String.raw`
import json, os
found = {"cuda": 0, "npu": 0, "cpu_cores": os.cpu_count() or 1}
try:
    import torch
    found["cuda"] = torch.cuda.device_count() if torch.cuda.is_available() else 0
    try:
        import torch_npu  # noqa: F401
        found["npu"] = torch.npu.device_count()
    except Exception:
        pass
except Exception as error:
    found["error"] = f"{type(error).__name__}: {error}"
print(json.dumps(found))
`

export interface LocalHostOptions {
  processes: ProcessManager
  python: () => Promise<string>
  harnessDir: string
  /** CPU workers; null picks one per two cores. */
  cpuSlots: () => Promise<number | null>
  /** Harness settings for every process started here (the data folder, sandbox settings). */
  variables?: () => Promise<Record<string, string>>
  cwd?: string
}

/** This machine: one worker per visible GPU or NPU plus the configured CPU workers. */
export class LocalWorkerHost implements WorkerHost {
  readonly name = 'local'
  readonly kind = 'local' as const

  constructor(private readonly options: LocalHostOptions) {}

  async discover(): Promise<SlotSpec[]> {
    const python = await this.options.python()
    const result = await this.options.processes.run({
      label: 'device probe',
      file: python,
      args: ['-c', DEVICE_PROBE],
      env: harnessEnvironment(this.options.harnessDir),
      timeoutMs: DEVICE_PROBE_TIMEOUT_MS,
    })
    if (result.spawnError) throw new Error(`Python ${python} could not be started (${result.spawnError}); choose an environment in Toolchains.`)
    let found: { cuda: number; npu: number; cpu_cores: number; error?: string }
    try {
      found = JSON.parse(result.stdout.trim().split('\n').pop() ?? '')
    } catch {
      throw new Error(`Python ${python} could not count devices: ${result.stderr.trim().split('\n').pop() ?? `exit code ${result.code}`}`)
    }
    if (found.error) throw new Error(`torch cannot be imported by ${python} (${found.error}); install it with: ${python} -m pip install torch`)
    const devices: HostDevices = { cuda: found.cuda, npu: found.npu, cpuCores: found.cpu_cores || cpus().length }
    const cpuSlots = (await this.options.cpuSlots()) ?? defaultCpuSlots(cpus().length)
    return planSlots(this.name, devices, cpuSlots).map((slot) => ({ ...slot, env: respectVisibleDevices(slot.env) }))
  }

  async connect(slot: SlotSpec): Promise<WorkerChannel> {
    return openLocalChannel(this.options.processes, {
      label: `harness worker ${slot.key}`,
      python: await this.options.python(),
      harnessDir: this.options.harnessDir,
      env: { ...(await this.variables()), ...slot.env },
      warmDevice: slot.kind === 'cpu' ? undefined : workerDevice(slot),
      cwd: this.options.cwd,
    })
  }

  /** At most this many ahead-of-time builds at once: each runs ninja with its share of the cores. */
  private readonly builds = new BuildLimiter(Math.max(1, Math.floor(cpus().length / 2)))

  async precompile(candidatePath: string, dsl: string, params?: Record<string, unknown>): Promise<void> {
    await this.builds
      .run(async () => {
        const python = await this.options.python()
        const env = harnessEnvironment(this.options.harnessDir, await this.variables())
        const args = [
          '-m',
          'akg_harness',
          'precompile',
          resolve(candidatePath),
          '--dsl',
          dsl,
          '--jobs',
          '1',
          ...(params ? ['--params', JSON.stringify(params)] : []),
        ]
        // A failed build is not an error here: the evaluation builds again and reports it in the verdict.
        await this.options.processes.run({
          label: `precompile ${candidatePath}`,
          file: python,
          args,
          env,
          cwd: this.options.cwd,
          timeoutMs: PRECOMPILE_TIMEOUT_MS,
        })
      })
      .catch(() => undefined)
  }

  private async variables(): Promise<Record<string, string>> {
    return (await this.options.variables?.()) ?? {}
  }

  async stageFiles(_worker: unknown, paths: string[]): Promise<string[]> {
    return paths.map((path) => resolve(path))
  }
}

/**
 * When the studio itself was started with CUDA_VISIBLE_DEVICES=2,3, torch's device 0 is physical
 * GPU 2: pin workers to the physical ids, not to the indexes torch reported.
 */
function respectVisibleDevices(env: Record<string, string>): Record<string, string> {
  const pinned = { ...env }
  for (const name of ['CUDA_VISIBLE_DEVICES', 'ASCEND_RT_VISIBLE_DEVICES']) {
    const inherited = process.env[name]
    if (!inherited || !pinned[name]) continue
    const physical = inherited.split(',')[Number(pinned[name])]
    if (physical !== undefined) pinned[name] = physical.trim()
  }
  return pinned
}
