import { terminalFlow } from '../../../agents/contract/registry.ts'

/**
 * Characters sent to the screen but not yet drawn. Above the high watermark the pty is paused, so
 * a flood (`yes`, a kernel printing megabytes) waits in the kernel's pty buffer instead of in our
 * memory or the renderer's; below the low watermark it resumes. VS Code's terminal uses the same
 * numbers: high enough to keep a fast screen busy, low enough that a stop key takes effect at once.
 * The numbers, and the screen's acknowledge size they must agree with, are in agents/contract/registry.ts.
 */
export const FLOW_HIGH_WATERMARK = terminalFlow.highWater
export const FLOW_LOW_WATERMARK = terminalFlow.lowWater

export class FlowControl {
  private unacknowledged = 0
  paused = false

  constructor(
    private readonly pause: () => void,
    private readonly resume: () => void,
    private readonly high = FLOW_HIGH_WATERMARK,
    private readonly low = FLOW_LOW_WATERMARK,
  ) {}

  get inFlight(): number {
    return this.unacknowledged
  }

  /** Counts characters on their way to the screen, including those waiting in the batch. */
  sent(characters: number): void {
    this.unacknowledged += characters
    if (!this.paused && this.unacknowledged > this.high) {
      this.paused = true
      this.pause()
    }
  }

  acknowledged(characters: number): void {
    this.unacknowledged = Math.max(0, this.unacknowledged - characters)
    if (this.paused && this.unacknowledged < this.low) {
      this.paused = false
      this.resume()
    }
  }
}

/** The most recent output, bounded: what a reattaching client is shown. */
export class Scrollback {
  private chunks: string[] = []
  private length = 0

  constructor(private readonly limit: number) {}

  push(text: string): void {
    this.chunks.push(text)
    this.length += text.length
    while (this.length > this.limit && this.chunks.length > 1) this.length -= (this.chunks.shift() as string).length
    if (this.length > this.limit) {
      const only = (this.chunks[0] as string).slice(-this.limit)
      this.chunks = [only]
      this.length = only.length
    }
  }

  toString(): string {
    return this.chunks.join('')
  }

  get size(): number {
    return this.length
  }
}
