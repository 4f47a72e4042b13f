import { describe, expect, it } from 'vitest'
import { ModelError, type ModelClient, type ModelEvent, type ModelRequest } from '../ports/index.ts'
import { kernelAnswer, runFixture } from '../testing/run-fixture.ts'

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

/** A provider that is not there: every call fails the way an unreachable Ollama does. */
const unreachable: ModelClient = {
  provider: 'ollama',
  // eslint-disable-next-line require-yield
  async *stream(): AsyncIterable<ModelEvent> {
    throw new ModelError('PROVIDER_UNREACHABLE', 'Ollama is not running at http://127.0.0.1:11434: start it with `ollama serve`.')
  },
}

describe('a provider that cannot be reached', () => {
  it('stops the run at once with the provider advice instead of burning candidates', async () => {
    const run = await runFixture({ code: [kernelAnswer('passed')], wrapModel: () => unreachable })
    expect(run.summary.endReason).toBe('error')
    expect(run.of('candidate-start')).toHaveLength(1)
    const errors = run.of('run-error')
    expect(errors[0]).toMatchObject({ fatal: true, code: 'PROVIDER_UNREACHABLE' })
    expect(run.of('run-end')[0]?.detail).toContain('ollama serve')
  })
})
