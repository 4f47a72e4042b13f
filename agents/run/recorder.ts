import type { RunEvent, RunEventDraft } from '../contract/runs.ts'
import type { Clock } from '../ports/index.ts'
import type { RunStore } from './store.ts'

/** Streamed text is coalesced this long before it becomes one event: ~20 events a second keeps the UI smooth and the log small. */
export const deltaCoalesceMs = 50

type DeltaType = 'design-delta' | 'code-delta'

/**
 * Gives each event its run id, seq and time, appends it to the store and hands it to the live
 * listener. Text deltas are buffered per candidate and flushed as one event per ~50 ms, and
 * always before any other event of the run so the log stays in order.
 */
export class RunRecorder {
  private seq: number
  private pending: { type: DeltaType; candidateId: string; text: string; since: number } | null = null
  private chain: Promise<void> = Promise.resolve()

  constructor(
    readonly runId: string,
    private readonly store: RunStore,
    private readonly clock: Clock,
    private readonly listener: (event: RunEvent) => void = () => undefined,
    nextSeq = 0,
    /**
     * Called once the event is in the log, in order: what a live reader sees can always be read
     * back from disk, so a reader that catches up from the log never misses what it saw live.
     */
    private readonly published: (event: RunEvent) => void = () => undefined,
  ) {
    this.seq = nextSeq
  }

  get nextSeq(): number {
    return this.seq
  }

  /** Records one event; resolves when it is appended (not yet fsynced). */
  emit(draft: RunEventDraft): Promise<void> {
    this.flushDelta()
    this.record(draft)
    return this.chain
  }

  /** Buffers streamed text; emits when the buffer is older than deltaCoalesceMs. */
  delta(type: DeltaType, candidateId: string, text: string): void {
    const now = this.clock.now()
    if (this.pending && (this.pending.type !== type || this.pending.candidateId !== candidateId)) this.flushDelta()
    if (!this.pending) this.pending = { type, candidateId, text: '', since: now }
    this.pending.text += text
    if (now - this.pending.since >= deltaCoalesceMs) this.flushDelta()
  }

  /** Emits buffered text, then fsyncs the log: the durable point at each step end. */
  async flush(): Promise<void> {
    this.flushDelta()
    await this.chain
    await this.store.flush()
  }

  private flushDelta(): void {
    const pending = this.pending
    if (!pending) return
    this.pending = null
    if (pending.text.length > 0) this.record({ type: pending.type, candidateId: pending.candidateId, text: pending.text })
  }

  private record(draft: RunEventDraft): void {
    const event = { ...draft, runId: this.runId, seq: this.seq, time: new Date(this.clock.now()).toISOString() } as RunEvent
    this.seq += 1
    this.chain = this.chain
      .then(() => this.store.append(event))
      .then(() => {
        try {
          this.published(event)
        } catch {
          // A broken live reader must not break the run; the log has the event.
        }
      })
    try {
      this.listener(event)
    } catch {
      // A broken live listener must not break the run; the log still has the event.
    }
  }
}
