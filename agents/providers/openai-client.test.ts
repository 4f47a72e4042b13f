import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closedPortUrl, DEFAULT_CHUNKS, startOpenAiServer, type LlmServer } from '../../test/helpers/llm-servers/index.ts'
import { collectAnswer } from './collect.ts'
import { OpenAiModelClient } from './openai-client.ts'

// Idle timeout well above a loaded machine's pauses; the tests of the timeout itself set their own per request.
const fast = { baseDelayMs: 5, maxDelayMs: 20, idleTimeoutMs: 3000, maxRetries: 2 }
const KEY = 'sk-loopback-secret'
const request = {
  model: 'deepseek-chat',
  role: 'designer' as const,
  messages: [
    { role: 'system' as const, content: 'plan' },
    { role: 'user' as const, content: 'softmax' },
  ],
}

let server: LlmServer
let client: OpenAiModelClient
beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: KEY })
  client = new OpenAiModelClient({ name: 'vllm-box', baseUrl: `${server.url}/v1`, apiKey: KEY, policy: fast })
})
afterAll(() => server.close())

describe('OpenAI-compatible provider against a server speaking OpenAI SSE', () => {
  it('streams deltas, asks for usage in the stream, and prices a known cloud model', async () => {
    const answer = await collectAnswer(client.stream(request))
    expect(answer.text).toBe(DEFAULT_CHUNKS.join(''))
    expect(server.requests.at(-1)?.body).toMatchObject({ model: 'deepseek-chat', stream: true, stream_options: { include_usage: true } })
    // deepseek-chat: $0.28 in, $0.42 out per million tokens; the server counted 11 in, 4 out.
    expect(answer.usage).toEqual({ inputTokens: 11, outputTokens: 4, costUsd: (11 * 0.28 + 4 * 0.42) / 1_000_000 })
    expect(answer.finish).toBe('stop')
  })

  it('leaves the cost unknown for a model with no known price', async () => {
    const answer = await collectAnswer(client.stream({ ...request, model: 'Qwen/Qwen2.5-Coder-7B-Instruct' }))
    expect(answer.usage).toMatchObject({ outputTokens: 4, costUsd: null })
  })

  it('lists the served models', async () => {
    expect((await client.listModels()).map((model) => model.name)).toEqual(['Qwen/Qwen2.5-Coder-7B-Instruct', 'deepseek-chat'])
  })

  it('says to check the API key on a 401, without retrying', async () => {
    const wrong = new OpenAiModelClient({ name: 'vllm-box', baseUrl: `${server.url}/v1`, apiKey: 'sk-wrong', policy: fast })
    const retries: unknown[] = []
    const error = await collectAnswer(wrong.stream(request), (event) => event.type === 'retry' && retries.push(event)).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'PROVIDER_AUTH', message: '401 from OpenAI-compatible server vllm-box: check the API key in Settings.' })
    expect(retries).toEqual([])
    await expect(wrong.listModels()).rejects.toMatchObject({ code: 'PROVIDER_AUTH' })
  })

  it('waits as a 429 asks, emits a retry event, then succeeds', async () => {
    server.script({ kind: 'status', status: 429, message: 'Rate limit reached', retryAfterSeconds: 0.05 })
    const answer = await collectAnswer(client.stream(request))
    expect(answer.text).toBe(DEFAULT_CHUNKS.join(''))
    expect(answer.retries).toEqual([{ attempt: 1, delayMs: 50, reason: expect.stringContaining('rate limiting requests (429)') }])
  })

  it('gives up after the retries on a server that keeps failing with 500', async () => {
    server.script({ kind: 'status', status: 500 }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 })
    const error = await collectAnswer(client.stream(request)).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'PROVIDER_BAD_RESPONSE', message: expect.stringContaining('failed with 500') })
  })

  it('retries a stream cut off mid-answer', async () => {
    server.script({ kind: 'truncate' })
    const answer = await collectAnswer(client.stream(request))
    expect(answer).toMatchObject({ text: DEFAULT_CHUNKS.join(''), finish: 'stop' })
    expect(answer.retries[0]?.reason).toContain('cut off')
  })

  it('reports garbage bytes as a response that is not the protocol', async () => {
    server.script({ kind: 'garbage' }, { kind: 'garbage' }, { kind: 'garbage' })
    const error = await collectAnswer(client.stream(request)).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'PROVIDER_BAD_RESPONSE', message: expect.stringContaining('vllm-box') })
  })

  it('times out a silent stream', async () => {
    server.script({ kind: 'stall' }, { kind: 'stall' }, { kind: 'stall' })
    const error = await collectAnswer(client.stream({ ...request, idleTimeoutSeconds: 0.2 })).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'PROVIDER_TIMEOUT', message: expect.stringContaining('sent nothing for 0.2 s') })
  })

  it('names the server and the base URL when nothing listens there', async () => {
    const url = `${await closedPortUrl()}/v1`
    const down = new OpenAiModelClient({ name: 'lm-studio', baseUrl: url, policy: { ...fast, maxRetries: 0 } })
    await expect(collectAnswer(down.stream(request))).rejects.toMatchObject({
      code: 'PROVIDER_UNREACHABLE',
      message: `Cannot reach the OpenAI-compatible server lm-studio at ${url} (connection refused): start the server, or fix the base URL in Settings (it usually ends in /v1).`,
    })
  })

  it('closes the connection when aborted mid-stream', async () => {
    server.script({ kind: 'stall' })
    const controller = new AbortController()
    const closed = server.nextClientClose()
    const done = collectAnswer(client.stream(request, controller.signal), (event) => event.type === 'text-delta' && controller.abort())
    await closed
    expect((await done).finish).toBe('cancelled')
  })
})
