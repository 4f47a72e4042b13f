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

/** Slots a wave may use: the run's concurrency, bounded by what the runner has free now (at least one). */
export const waveWidth = (concurrency: number, capacity: number): number => Math.max(1, Math.min(concurrency, capacity))
