import { describe, expect, it } from 'vitest'
import { foldEvents, summarize } from './state.ts'
import { MemoryRunStore } from '../testing/memory-store.ts'
import { kernelAnswer, runFixture } from '../testing/run-fixture.ts'

describe('a runner that goes away (a lost cluster)', () => {
  it('stops the run at once without a run-end, so it lists as interrupted, and a resume finishes it', async () => {
    const store = new MemoryRunStore()
    const lost = await runFixture({ store, code: [kernelAnswer('incorrect'), kernelAnswer('lost'), kernelAnswer('passed 0.2')] })
    const types = store.events.map((event) => event.type)
    expect(types).not.toContain('run-end')
    expect(lost.of('run-error').at(-1)).toMatchObject({ fatal: true, code: 'RUNNER_LOST' })
    // Nothing was counted for the candidate whose verification was lost; the third answer was never asked for.
    expect(lost.runner.requests).toHaveLength(2)
    expect(lost.model.requests.filter((request) => request.role !== 'designer')).toHaveLength(2)
    expect(summarize(foldEvents('r1', store.events), false).status).toBe('interrupted')

    const resumed = await runFixture({ store, priorEvents: [...store.events], code: [kernelAnswer('passed 0.2')] })
    expect(resumed.summary.status).toBe('completed')
    const ended = resumed.of('candidate-end').map((event) => [event.candidate.id, event.candidate.status])
    expect(ended).toEqual([
      ['c0001', 'incorrect'],
      ['c0002', 'cancelled'],
      ['c0003', 'passed'],
    ])
  })
})
