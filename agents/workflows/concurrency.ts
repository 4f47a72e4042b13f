/** Runs tasks with at most `limit` in flight; resolves when all have settled. Each task handles its own failure. */
export async function runBounded(tasks: Array<() => Promise<unknown>>, limit: number): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next]!
      next += 1
      await task()
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker))
}

/**
 * Candidates a wave keeps in flight: the run's concurrency, bounded by twice the runner's device
 * slots (at least one). One candidate per slot is verified while the next one waits in the runner's
 * queue, where a cpp/cuda_c build runs ahead on the CPU cores (the harness's precompile), so the
 * device never waits for a compiler; two candidates are never timed on one device at once (the
 * runner gives each slot one job).
 */
export const waveWidth = (concurrency: number, capacity: number): number => Math.max(1, Math.min(concurrency, 2 * capacity))
