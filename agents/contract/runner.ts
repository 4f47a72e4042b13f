import { z } from 'zod'
import { route } from './define.ts'

/** One harness worker of the runner: one device of one host. */
export interface RunnerWorkerStatus {
  key: string
  host: string
  device: string
  state: 'stopped' | 'starting' | 'idle' | 'busy' | 'crashed'
  /** The harness stage in progress (build, correctness, timing, profile) while busy. */
  stage: string | null
  pid: number | null
  restarts: number
  evaluations: number
  /** The candidate file being evaluated while busy. */
  candidate: string | null
  lastError: string | null
}

/** One evaluation waiting for a slot. */
export interface RunnerQueueEntry {
  candidate: string
  device: string
  priority: number
  queuedAt: string
}

/** A host the runner draws workers from: this machine, an SSH host, or a Ray cluster. */
export interface RunnerHostStatus {
  name: string
  kind: 'local' | 'ssh' | 'ray'
  state: 'unknown' | 'discovering' | 'ready' | 'error'
  error: string | null
}

/** What runner.status returns and the runner-status event carries. */
export interface RunnerStatus {
  hosts: RunnerHostStatus[]
  workers: RunnerWorkerStatus[]
  queue: RunnerQueueEntry[]
  /** Slots for the default device kind: what a search workflow may run at once. */
  capacity: number
  evaluations: { passed: number; failed: number; timedOut: number; crashed: number }
}

/** An SSH host as the user configures it; keys stay in the user's ssh setup and are never stored here. */
export const sshHostSchema = z
  .object({
    /** Shown in the UI and used as the device prefix: `gpu-box:cuda:1`. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]{0,62}$/, 'letters, digits, dot, dash or underscore')
      .refine((name) => !['local', 'cpu', 'cuda', 'npu'].includes(name), 'that name is reserved'),
    /** `user@host` or an alias from ~/.ssh/config. */
    destination: z
      .string()
      .min(1)
      .max(300)
      .regex(/^[^\s-][^\s]*$/, 'one word, not starting with a dash'),
    port: z.number().int().min(1).max(65535).optional(),
    python: z.string().min(1).optional(),
    sshOptions: z.array(z.string().max(500)).max(20).optional(),
    cpuSlots: z.number().int().min(0).max(64).optional(),
  })
  .strict()

export type SshHostSettings = z.infer<typeof sshHostSchema>

/**
 * A Ray cluster that verifies candidates: the studio stays the driver on this machine (model
 * calls never leave it); each GPU of the cluster gets an actor with a warm, sandboxed harness worker.
 */
export const rayClusterSchema = z
  .object({
    /** `ray://HOST:10001` (Ray Client), `HOST:6379` (a cluster this machine can join) or `auto`. */
    address: z
      .string()
      .min(1)
      .max(300)
      .regex(/^(auto|ray:\/\/[\w.-]+:\d{1,5}|[\w.-]+:\d{1,5})$/, 'ray://HOST:PORT, HOST:PORT or auto'),
    /** CPU workers per node; by default none on GPU nodes and one per two cores elsewhere. */
    cpuSlotsPerNode: z.number().int().min(0).max(256).optional(),
  })
  .strict()

export type RayClusterSettings = z.infer<typeof rayClusterSchema>

/** One live node of a connected cluster, as `runner.cluster` lists it. */
export interface ClusterNode {
  node_id: string
  address: string | null
  hostname: string | null
  head: boolean
  cpus: number
  gpus: number
  npus: number
  /** Ray's accelerator type for the node's GPUs (`H200`, `A100`), when Ray detected one. */
  gpu_model: string | null
  gpu_details: Array<{ index: number | null; name: string; memory_mb: number | null; memory_used_mb: number | null; utilization_pct: number | null }>
  gpu_error: string | null
  memory_bytes: number | null
}

/** What a connected Ray cluster has, for Toolchains. */
export interface ClusterInventory {
  nodes: ClusterNode[]
  available: Record<string, number>
  ray_version: string
}

/** runner.cluster: the configured cluster's address and, when it answers, its nodes. */
export interface ClusterStatus {
  address: string | null
  inventory: ClusterInventory | null
  error: string | null
}

export const runnerRoutes = {
  'runner.status': route<RunnerStatus>()(
    z
      .object({
        /** Discover the devices of every host now instead of on the first evaluation. */
        discover: z.boolean().optional(),
      })
      .strict(),
  ),
  /** Adds (or replaces) an SSH host whose devices serve evaluations; it persists in settings. */
  'runner.addHost': route<RunnerStatus>()(sshHostSchema),
  'runner.removeHost': route<RunnerStatus>()(z.object({ name: z.string().min(1) }).strict()),
  /** Connects a Ray cluster (saved in settings); its devices serve runs whose device starts with `ray:`. */
  'runner.connectCluster': route<ClusterStatus>()(rayClusterSchema),
  'runner.disconnectCluster': route<RunnerStatus>()(z.object({}).strict()),
  /** The configured cluster's nodes, GPUs and load, asked of the cluster now. */
  'runner.cluster': route<ClusterStatus>()(z.object({}).strict()),
}
