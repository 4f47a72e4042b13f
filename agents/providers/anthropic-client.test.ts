import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_CHUNKS, startAnthropicServer, type LlmServer } from '../../test/helpers/llm-servers/index.ts'
import { AnthropicModelClient } from './anthropic-client.ts'
import { collectAnswer } from './collect.ts'

// Idle timeout well above a loaded machine's pauses; the tests of the timeout itself set their own per request.
const fast = { baseDelayMs: 5, maxDelayMs: 20, idleTimeoutMs: 3000, maxRetries: 2 }
const KEY = 'sk-ant-loopback'
const request = {
  model: 'claude-sonnet-4-5-20250929',
  role: 'conductor' as const,
  messages: [
    { role: 'system' as const, content: 'You route.' },
    { role: 'user' as const, content: 'verdict: incorrect' },
  ],
}

let server: LlmServer
let client: AnthropicModelClient
beforeAll(async () => {
  server = await startAnthropicServer({ apiKey: KEY })
  client = new AnthropicModelClient({ baseUrl: server.url, apiKey: KEY, policy: fast })
})
afterAll(() => server.close())

describe('Anthropic provider against a server speaking the Messages SSE sequence', () => {
  it('streams text deltas and prices the call from message_start and message_delta usage', async () => {
    const answer = await collectAnswer(client.stream(request))
    expect(answer.text).toBe(DEFAULT_CHUNKS.join(''))
    const body = server.requests.at(-1)?.body as { system?: string; messages: unknown[]; max_tokens: number; stream: boolean }
    expect(body).toMatchObject({ system: 'You route.', stream: true, max_tokens: 8192, messages: [{ role: 'user', content: 'verdict: incorrect' }] })
    // The loopback counts the characters of `messages` as tokens ('verdict: incorrect' = 18); Sonnet is $3 in, $15 out.
    expect(answer.usage).toEqual({ inputTokens: 18, outputTokens: 4, costUsd: (18 * 3 + 4 * 15) / 1_000_000 })
  })

  it('maps max_tokens to a length finish', async () => {
    server.script({ kind: 'ok', chunks: ['x'], finish: 'length' })
    expect((await collectAnswer(client.stream(request))).finish).toBe('length')
  })

  it('lists models', async () => {
    expect((await client.listModels()).map((model) => model.name)).toContain('claude-haiku-4-5-20251001')
  })

  it('says to check the key on a 401', async () => {
    const wrong = new AnthropicModelClient({ name: 'claude', baseUrl: server.url, apiKey: 'wrong', policy: fast })
    await expect(collectAnswer(wrong.stream(request))).rejects.toMatchObject({
      code: 'PROVIDER_AUTH',
      message: '401 from Anthropic provider claude: check the API key in Settings.',
    })
  })

  it('asks for a key before sending anything when none is configured', async () => {
    const before = server.requests.length
    const keyless = new AnthropicModelClient({ name: 'claude', baseUrl: server.url, policy: fast })
    await expect(collectAnswer(keyless.stream(request))).rejects.toMatchObject({ code: 'PROVIDER_AUTH', message: expect.stringContaining('has no API key') })
    expect(server.requests.length).toBe(before)
  })

  it('retries a 529-style overload and a 429, then answers', async () => {
    server.script({ kind: 'status', status: 529, message: 'Overloaded' }, { kind: 'status', status: 429 })
    const answer = await collectAnswer(client.stream(request))
    expect(answer.retries.map((retry) => retry.attempt)).toEqual([1, 2])
    expect(answer.text).toBe(DEFAULT_CHUNKS.join(''))
  })

  it('retries a cut-off stream and fails clearly on garbage', async () => {
    server.script({ kind: 'truncate' })
    expect((await collectAnswer(client.stream(request))).retries).toHaveLength(1)
    server.script({ kind: 'garbage' }, { kind: 'garbage' }, { kind: 'garbage' })
    await expect(collectAnswer(client.stream(request))).rejects.toMatchObject({ code: 'PROVIDER_BAD_RESPONSE' })
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
