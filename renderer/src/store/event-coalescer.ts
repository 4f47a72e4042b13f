/**
 * Collects high-rate items (run events, token deltas) and hands them over once per animation
 * frame, so a burst of thousands of events costs one store update per frame, not one per event.
 * A timer backs the frame up: hidden tabs get no animation frames but must not fall behind.
 */
export interface Coalescer<Item> {
  push(item: Item): void
  /** Hands over what is pending now (tests, and before reading the store synchronously). */
  flush(): void
}

/** How long a hidden page may hold events before the timer flushes them anyway. */
const HIDDEN_FLUSH_MS = 250

export function createCoalescer<Item>(deliver: (items: Item[]) => void): Coalescer<Item> {
  let pending: Item[] = []
  let frame: number | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  const flush = () => {
    if (frame !== null) cancelAnimationFrame(frame)
    if (timer !== null) clearTimeout(timer)
    frame = null
    timer = null
    if (pending.length === 0) return
    const items = pending
    pending = []
    deliver(items)
  }
  return {
    push(item) {
      pending.push(item)
      if (frame === null && typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(flush)
      if (timer === null) timer = setTimeout(flush, HIDDEN_FLUSH_MS)
    },
    flush,
  }
}
