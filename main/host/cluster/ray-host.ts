import { readFileSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import type { ClusterInventory, RayClusterSettings } from '../../../agents/contract/runner.ts'
import type { ProcessManager } from '../process/process-manager.ts'
import type { SlotSpec } from '../runner/devices.ts'
import type { WorkerChannel } from '../runner/worker-channel.ts'
import type { WorkerHost } from '../runner/worker-host.ts'
import { ClusterDriver, OPEN_TIMEOUT_MS } from './cluster-driver.ts'

/** The device prefix of cluster slots: `ray:cuda` is any cluster GPU of the run's model, `ray:cpu` any CPU slot. */
export const CLUSTER_HOST = 'ray'
/** A task or candidate larger than this is not a kernel; refuse it rather than ship it. */
const MAX_SOURCE_BYTES = 8 * 1024 * 1024

export interface RayHostOptions {
  processes: ProcessManager
  python: () => Promise<string>
  harnessDir: string
  settings: RayClusterSettings
  /** The environment the driver starts with: allow-listed, never the studio's secrets. */
  env: () => Promise<Record<string, string>>
  cwd?: string
}

/** What `open` needs beyond the slot spec: where the slot lives. */
interface ClusterSlot extends SlotSpec {
  nodeId: string
  model: string | null
}

/**
 * A Ray cluster as a WorkerHost: one slot per GPU (and per configured CPU worker) of every live
 * node, each a Ray actor keeping a warm sandboxed harness worker on its node. The studio is the
 * driver; only verification leaves this machine, with the task and candidate inside the request.
 */
export class RayWorkerHost implements WorkerHost {
  readonly name = CLUSTER_HOST
  readonly kind = 'ray' as const
  private driver: ClusterDriver | null = null
  private starting: Promise<ClusterDriver> | null = null
  private inventoryCache: ClusterInventory | null = null
  private readonly slotsByKey = new Map<string, ClusterSlot>()

  constructor(private readonly options: RayHostOptions) {}

  /** Why the cluster is gone, while it is; a lost cluster stops new work until it is reconnected. */
  get lostReason(): string | null {
    return this.driver?.lostReason ?? null
  }

  private connectDriver(): Promise<ClusterDriver> {
    if (this.driver && this.driver.lostReason === null) return Promise.resolve(this.driver)
    this.starting ??= (async () => {
      const driver = new ClusterDriver({
        processes: this.options.processes,
        python: await this.options.python(),
        harnessDir: this.options.harnessDir,
        address: this.options.settings.address,
        env: await this.options.env(),
        cwd: this.options.cwd,
      })
      try {
        await driver.control('connect')
      } catch (error) {
        await driver.stop()
        throw new Error(
          `The Ray cluster at ${this.options.settings.address} cannot be reached: ${error instanceof Error ? error.message : String(error)}. ${RAY_ADVICE}`,
          { cause: error },
        )
      }
      this.driver = driver
      return driver
    })().finally(() => (this.starting = null))
    return this.starting
  }

  async inventory(): Promise<ClusterInventory> {
    const driver = await this.connectDriver()
    this.inventoryCache = await driver.control<ClusterInventory>('inventory')
    return this.inventoryCache
  }

  async discover(): Promise<SlotSpec[]> {
    const inventory = await this.inventory()
    const perNode = this.options.settings.cpuSlotsPerNode
    this.slotsByKey.clear()
    let gpuIndex = 0
    let cpuIndex = 0
    for (const node of inventory.nodes) {
      const short = node.node_id.slice(0, 8)
      for (let index = 0; index < node.gpus; index++) {
        const slot: ClusterSlot = {
          key: `${CLUSTER_HOST}:${short}:cuda:${index}`,
          host: CLUSTER_HOST,
          kind: 'cuda',
          index: gpuIndex++,
          env: {},
          nodeId: node.node_id,
          model: node.gpu_model,
        }
        this.slotsByKey.set(slot.key, slot)
      }
      const cpuSlots = perNode ?? (node.gpus > 0 ? 0 : Math.max(1, Math.floor(node.cpus / 2)))
      const threads = String(Math.max(1, Math.floor(node.cpus / Math.max(1, cpuSlots))))
      for (let index = 0; index < cpuSlots; index++) {
        const slot: ClusterSlot = {
          key: `${CLUSTER_HOST}:${short}:cpu#${index}`,
          host: CLUSTER_HOST,
          kind: 'cpu',
          index: null,
          env: { OMP_NUM_THREADS: threads },
          nodeId: node.node_id,
          model: null,
        }
        cpuIndex++
        this.slotsByKey.set(slot.key, slot)
      }
    }
    if (gpuIndex + cpuIndex === 0) throw new Error(`The Ray cluster at ${this.options.settings.address} has no node with a GPU or a free CPU for verification.`)
    return [...this.slotsByKey.values()]
  }

  /**
   * Cluster GPUs of one model only serve `ray:cuda` requests of that model: a run keeps its
   * candidates on one GPU model, so ranks compare like with like. The model is the one most of
   * the cluster's GPUs share (ties: the name first in order), unless the request pins an index.
   */
  primaryModel(): string | null {
    const counts = new Map<string, number>()
    for (const slot of this.slotsByKey.values()) if (slot.kind === 'cuda' && slot.model) counts.set(slot.model, (counts.get(slot.model) ?? 0) + 1)
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    return ranked[0]?.[0] ?? null
  }

  servesUnpinned(slot: SlotSpec): boolean {
    const known = this.slotsByKey.get(slot.key)
    if (!known || known.kind !== 'cuda') return true
    const model = this.primaryModel()
    return model === null || known.model === model
  }

  async connect(spec: SlotSpec): Promise<WorkerChannel> {
    const slot = this.slotsByKey.get(spec.key)
    if (!slot) throw new Error(`${spec.key} is no longer part of the cluster; discover it again.`)
    const driver = await this.connectDriver()
    const info = await driver.control<{ pid: number }>(
      'open',
      { slot: slot.key, node_id: slot.nodeId, kind: slot.kind, model: slot.model, threads: slot.env.OMP_NUM_THREADS ? Number(slot.env.OMP_NUM_THREADS) : null },
      OPEN_TIMEOUT_MS,
    )
    return new SlotChannel(driver, slot.key, info.pid)
  }

  /** Files travel inside the request (see SlotChannel); the paths stay the studio's own. */
  async stageFiles(_worker: unknown, paths: string[]): Promise<string[]> {
    return paths
  }

  async stop(): Promise<void> {
    const driver = this.driver
    this.driver = null
    await driver?.stop()
  }
}

export const RAY_ADVICE =
  'Check the address (ray://HOST:10001 for Ray Client, HOST:6379 for a cluster this machine can join, or auto), and that the Python environment has the same Ray version as the cluster: pip install "ray[default]==2.60.0".'

/**
 * One slot's line channel, multiplexed over the cluster driver. Evaluate requests carry the task
 * and candidate sources (`files`) so the node needs no shared file system.
 */
class SlotChannel implements WorkerChannel {
  private readonly closeListeners: Array<(reason: string) => void> = []
  private closed = false

  constructor(
    private readonly driver: ClusterDriver,
    private readonly slot: string,
    readonly pid: number | null,
  ) {
    driver.onLost((reason) => this.close(`the Ray cluster went away: ${reason}`))
  }

  send(line: string): void {
    if (this.closed) return
    this.driver.sendToSlot(this.slot, inlineSources(line))
  }

  onLine(listener: (line: string) => void): void {
    this.driver.attachSlot(this.slot, listener)
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener)
  }

  private close(reason: string): void {
    if (this.closed) return
    this.closed = true
    this.driver.detachSlot(this.slot)
    for (const listener of this.closeListeners) listener(reason)
  }

  async stop(): Promise<void> {
    if (!this.closed && this.driver.lostReason === null) await this.driver.control('close', { slot: this.slot }, 30_000).catch(() => undefined)
    this.close('stopped')
  }

  diagnostics(): string {
    return this.driver.diagnostics()
  }
}

/** Adds `files` (name and text of the task and the candidate) to an evaluate request. */
export function inlineSources(line: string): string {
  let request: { command?: string; args?: Record<string, unknown>; files?: Record<string, { name: string; text: string }> }
  try {
    request = JSON.parse(line)
  } catch {
    return line
  }
  if (request.command !== 'evaluate' || !request.args) return line
  const files: Record<string, { name: string; text: string }> = {}
  for (const argument of ['task', 'candidate']) {
    const path = request.args[argument]
    if (typeof path !== 'string') continue
    if (statSync(path).size > MAX_SOURCE_BYTES) throw new Error(`${path} is larger than ${MAX_SOURCE_BYTES} bytes; it is not sent to the cluster.`)
    files[argument] = { name: basename(path), text: readFileSync(path, 'utf8') }
  }
  return JSON.stringify({ ...request, files })
}
