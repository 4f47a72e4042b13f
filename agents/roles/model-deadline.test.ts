import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOpenAiServer, type LlmServer } from '../../test/helpers/llm-servers/index.ts'
import { OpenAiModelClient } from '../providers/openai-client.ts'
import { kernelAnswer, runFixture } from '../testing/run-fixture.ts'
import { maxAnswerChars } from './model-call.ts'

const realClock = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
}

/** Waits until the loopback server has seen the client close a stream (the abort reached the socket). */
async function closedWithin(ms: number, before: number): Promise<void> {
  const until = Date.now() + ms
  while (server.closedByClient <= before && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20))
  expect(server.closedByClient).toBeGreaterThan(before)
}

let server: LlmServer
let client: OpenAiModelClient
beforeAll(async () => {
  server = await startOpenAiServer()
  // The idle timeout is far longer than the test: only the run's own budget can end the call.
  client = new OpenAiModelClient({
    name: 'trickle',
    baseUrl: `${server.url}/v1`,
    policy: { baseDelayMs: 5, maxDelayMs: 20, idleTimeoutMs: 120_000, maxRetries: 0 },
  })
})
afterAll(() => server.close())

describe('a model stream that never ends', () => {
  it('is aborted at the run budget, and the run stops within its budget plus 5 s', async () => {
    server.script({ kind: 'trickle', everyMs: 100 })
    const started = Date.now()
    const run = await runFixture({ spec: { budget: { minutes: 0.05 } }, code: [kernelAnswer('passed')], clock: realClock as never, wrapModel: () => client })
    const seconds = (Date.now() - started) / 1000
    expect(run.summary.endReason).toBe('budget-minutes')
    expect(seconds).toBeLessThan(3 + 5)
    expect(run.of('run-error')[0]).toMatchObject({
      code: 'BUDGET_MINUTES',
      message: expect.stringContaining('0.05-minute budget ran out during the designer call'),
    })
    // The connection was closed by the studio, not left streaming.
    await closedWithin(10_000, 0)
  })

  it('stops reading at the answer cap and closes the stream', async () => {
    const before = server.closedByClient
    server.script({ kind: 'trickle', everyMs: 5, text: 'y'.repeat(20_000) })
    const run = await runFixture({
      code: [kernelAnswer('passed')],
      clock: realClock as never,
      wrapModel: (scripted) => ({ provider: 'mixed', stream: (request, signal) => (request.role === 'designer' ? client : scripted).stream(request, signal) }),
    })
    expect(run.summary.endReason).toBe('correct')
    expect(run.store.artifacts.get('candidates/c0001/plan.md')?.length).toBeLessThanOrEqual(maxAnswerChars)
    const streamed = run.of('design-delta').reduce((sum, event) => sum + event.text.length, 0)
    expect(streamed).toBe(maxAnswerChars)
    await closedWithin(10_000, before)
  })
})
