import { describe, expect, it } from 'vitest'
import type { RunEvent } from '../contract/runs.ts'
import { RunRecorder } from './recorder.ts'
import { MemoryRunStore } from '../testing/memory-store.ts'
import { ManualClock } from '../testing/fake-runner.ts'

/** A store whose appends take a while, like a disk under load. */
class SlowStore extends MemoryRunStore {
  override async append(event: RunEvent): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 5))
    await super.append(event)
  }
}

describe('run recorder', () => {
  it('publishes an event live only once it is in the log, in order', async () => {
    const store = new SlowStore()
    const seenInLog: boolean[] = []
    const published: number[] = []
    const recorder = new RunRecorder(
      'r1',
      store,
      new ManualClock(),
      () => undefined,
      0,
      (event) => {
        seenInLog.push(store.events.some((logged) => logged.seq === event.seq))
        published.push(event.seq)
      },
    )
    void recorder.emit({ type: 'step-end', step: 1 })
    void recorder.emit({ type: 'step-end', step: 2 })
    await recorder.emit({ type: 'step-end', step: 3 })
    expect(published).toEqual([0, 1, 2])
    expect(seenInLog).toEqual([true, true, true])
  })
})
