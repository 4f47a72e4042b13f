/** One waiting evaluation: higher priority first, then first come first served. */
export interface QueuedJob<T> {
  priority: number
  sequence: number
  value: T
}

/**
 * The runner's waiting room. Jobs are few (a wave of candidates, tens at most), so a sorted
 * array beats a heap in clarity; `take` picks the best job a given worker can serve.
 */
export class JobQueue<T> {
  private readonly jobs: Array<QueuedJob<T>> = []
  private sequence = 0

  push(value: T, priority = 0): QueuedJob<T> {
    const job = { priority, sequence: this.sequence++, value }
    let index = this.jobs.length
    while (index > 0 && (this.jobs[index - 1] as QueuedJob<T>).priority < priority) index -= 1
    this.jobs.splice(index, 0, job)
    return job
  }

  /** Removes and returns the first job the predicate accepts. */
  take(accepts: (value: T) => boolean): T | undefined {
    const index = this.jobs.findIndex((job) => accepts(job.value))
    if (index < 0) return undefined
    return (this.jobs.splice(index, 1)[0] as QueuedJob<T>).value
  }

  remove(value: T): boolean {
    const index = this.jobs.findIndex((job) => job.value === value)
    if (index < 0) return false
    this.jobs.splice(index, 1)
    return true
  }

  get size(): number {
    return this.jobs.length
  }

  values(): T[] {
    return this.jobs.map((job) => job.value)
  }
}
