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

export const runnerRoutes = {
  'runner.status': route<RunnerStatus>()(
    z
      .object({
        /** Discover the devices of every host now instead of on the first evaluation. */
        discover: z.boolean().optional(),
      })
      .strict(),
  ),
}
