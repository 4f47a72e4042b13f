import type { HarnessWorker } from './harness-worker.ts'
import type { SlotSpec } from './devices.ts'
import type { WorkerChannel } from './worker-channel.ts'

/**
 * Where workers come from: this machine, or a GPU server over SSH. The runner asks each host for
 * its slots once, connects a worker per slot, and lets the host move files where its workers see them.
 */
export interface WorkerHost {
  readonly name: string
  readonly kind: 'local' | 'ssh' | 'ray'
  /** Finds the host's devices (harness `detect`); throws an error that says what is missing. */
  discover(): Promise<SlotSpec[]>
  connect(slot: SlotSpec): Promise<WorkerChannel>
  /** Returns the paths the worker should read for these local files (identity on this machine). */
  stageFiles(worker: HarnessWorker, paths: string[]): Promise<string[]>
  /**
   * Builds a compiled-DSL candidate (cpp, cuda_c) into the shared build cache on the CPU, so a
   * candidate waiting for a device finds its extension built. Optional; never throws.
   */
  precompile?(candidatePath: string, dsl: string, params?: Record<string, unknown>): Promise<void>
  /**
   * Whether a slot may take a request that names no device index (`ray:cuda`): a cluster offers
   * only its main GPU model there, so one run's candidates are timed on one model. Default yes.
   */
  servesUnpinned?(slot: SlotSpec): boolean
  /** Set when the host is gone for good (a cluster that went away): its requests fail as interrupted. */
  readonly lostReason?: string | null
}
