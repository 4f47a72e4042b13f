/**
 * A start that concurrent callers share: while one start is in flight every caller awaits it;
 * a failed start is forgotten so the next caller tries again.
 */
export class SharedStart<T> {
  private pending: Promise<T> | null = null

  run(start: () => Promise<T>): Promise<T> {
    if (this.pending) return this.pending
    const pending = start()
    this.pending = pending
    pending.then(
      () => {
        if (this.pending === pending) this.pending = null
      },
      () => {
        if (this.pending === pending) this.pending = null
      },
    )
    return pending
  }

  get inFlight(): boolean {
    return this.pending !== null
  }
}
