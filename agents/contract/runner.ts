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

/** A host the runner draws workers from: this machine or an SSH host. */
export interface RunnerHostStatus {
  name: string
  kind: 'local' | 'ssh'
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
    name: z.string().regex(/^[A-Za-z0-9][\w.-]{0,62}$/, 'letters, digits, dot, dash or underscore').refine((name) => !['local', 'cpu', 'cuda', 'npu'].includes(name), 'that name is reserved'),
    /** `user@host` or an alias from ~/.ssh/config. */
    destination: z.string().min(1).max(300).regex(/^[^\s-][^\s]*$/, 'one word, not starting with a dash'),
    port: z.number().int().min(1).max(65535).optional(),
    python: z.string().min(1).optional(),
    sshOptions: z.array(z.string().max(500)).max(20).optional(),
    cpuSlots: z.number().int().min(0).max(64).optional(),
  })
  .strict()

export type SshHostSettings = z.infer<typeof sshHostSchema>

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
}
