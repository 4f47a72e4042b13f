import { describe, expect, it } from 'vitest'
import type { ModelClient, ModelEvent, ModelRequest } from '../ports/index.ts'
import { kernelAnswer, runFixture } from '../run/testing/run-fixture.ts'

/** A provider that streams half an answer, retries (as on a dropped connection), then streams the real one. */
function retryingOnce(inner: ModelClient): ModelClient {
  let retried = false
  return {
    provider: inner.provider,
    async *stream(request: ModelRequest, signal?: AbortSignal): AsyncIterable<ModelEvent> {
      if (request.role === 'coder' && !retried) {
        retried = true
        yield { type: 'text-delta', text: 'LOST-PARTIAL ```python\nclass ModelNew(' }
        yield { type: 'retry', attempt: 1, delayMs: 10, reason: 'connection reset' }
      }
      yield* inner.stream(request, signal)
    },
  }
}

describe('model calls', () => {
  it('drops the text streamed before a provider retry, so the answer is only the retried one', async () => {
    const run = await runFixture({ code: [kernelAnswer('passed 0.5')], wrapModel: retryingOnce })
    expect(run.summary.endReason).toBe('correct')
    const answer = run.store.artifacts.get('candidates/c0001/answer.md') ?? ''
    expect(answer).not.toContain('LOST-PARTIAL')
    expect(answer).toContain('Here is the kernel.')
  })
})
