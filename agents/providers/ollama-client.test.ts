import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closedPortUrl, DEFAULT_CHUNKS, OLLAMA_PULLABLE, startOllamaServer, type LlmServer } from '../../test/helpers/llm-servers/index.ts'
import { ModelError } from '../ports/model.ts'
import { collectAnswer } from './collect.ts'
import { OllamaModelClient } from './ollama-client.ts'
import type { PullProgress } from './types.ts'

// Real delays, kept small: the point is the behaviour, not the numbers.
// Idle timeout well above a loaded machine's pauses; the tests of the timeout itself set their own per request.
const fast = { baseDelayMs: 5, maxDelayMs: 20, idleTimeoutMs: 3000, maxRetries: 2 }
const request = { model: 'qwen2.5-coder:7b', role: 'coder' as const, messages: [{ role: 'user' as const, content: 'write a relu kernel' }] }

let server: LlmServer
let client: OllamaModelClient
beforeAll(async () => {
  server = await startOllamaServer()
  client = new OllamaModelClient({ baseUrl: server.url, policy: fast })
})
afterAll(() => server.close())

describe('Ollama provider against a server speaking Ollama NDJSON', () => {
  it('streams the answer as text deltas with token usage and no cost for a local model', async () => {
    const deltas: string[] = []
    const answer = await collectAnswer(client.stream(request), (event) => event.type === 'text-delta' && deltas.push(event.text))
    expect(deltas).toEqual(DEFAULT_CHUNKS)
    expect(answer).toMatchObject({
      text: DEFAULT_CHUNKS.join(''),
      finish: 'stop',
      usage: { inputTokens: 'write a relu kernel'.length, outputTokens: 4, costUsd: null },
    })
    expect(server.requests.at(-1)?.body).toMatchObject({ model: 'qwen2.5-coder:7b', stream: true, messages: request.messages })
  })

  it('reports a length finish when the model hit its token limit', async () => {
    server.script({ kind: 'ok', chunks: ['partial'], finish: 'length' })
    expect(await collectAnswer(client.stream({ ...request, maxTokens: 1 }))).toMatchObject({ text: 'partial', finish: 'length' })
    expect(server.requests.at(-1)?.body).toMatchObject({ options: { num_predict: 1 } })
  })

  it('lists the installed models with family, size and quantisation', async () => {
    const models = await client.listModels()
    expect(models.map((model) => model.name)).toEqual(['qwen2.5-coder:7b', 'llama3.1:8b'])
    expect(models[0]).toMatchObject({ sizeBytes: 4_683_087_332, details: 'qwen2 7.6B Q4_K_M' })
  })

  it('pulls a model, reporting progress until success', async () => {
    const progress: PullProgress[] = []
    await client.pull(OLLAMA_PULLABLE, (line) => progress.push(line))
    expect(progress[0]?.status).toBe('pulling manifest')
    expect(progress.filter((line) => line.total === 1_000_000).map((line) => line.completed)).toEqual([0, 250_000, 750_000, 1_000_000])
    expect(progress.at(-1)?.status).toBe('success')
  })

  it('says a model the library does not have cannot be pulled, naming it', async () => {
    await expect(client.pull('no-such-model:1b', () => undefined)).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
      message: expect.stringContaining('no-such-model:1b'),
    })
  })

  it('names the pull command when the model is not installed', async () => {
    const error = await collectAnswer(client.stream({ ...request, model: 'deepseek-coder-v2:16b' })).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ModelError)
    expect(error).toMatchObject({ code: 'PROVIDER_NOT_FOUND', message: expect.stringContaining('`ollama pull deepseek-coder-v2:16b`') })
  })

  it('tells the user to start Ollama when nothing listens at its address, after retrying', async () => {
    const url = await closedPortUrl()
    const down = new OllamaModelClient({ baseUrl: url, policy: fast })
    const retries: number[] = []
    const error = await collectAnswer(down.stream(request), (event) => event.type === 'retry' && retries.push(event.attempt)).catch((caught: unknown) => caught)
    expect(retries).toEqual([1, 2])
    expect(error).toMatchObject({ code: 'PROVIDER_UNREACHABLE' })
    expect((error as Error).message).toBe(
      `Ollama is not running at ${url} (connection refused): start it with \`ollama serve\`, then \`ollama pull qwen2.5-coder:7b\`.`,
    )
    await expect(down.listModels()).rejects.toMatchObject({ code: 'PROVIDER_UNREACHABLE' })
  })

  it('retries a 500 and a cut-off stream, and the text of the failed attempts is void', async () => {
    server.script({ kind: 'status', status: 500, message: 'CUDA error: out of memory' }, { kind: 'truncate' })
    const events: string[] = []
    const answer = await collectAnswer(client.stream(request), (event) => events.push(event.type))
    expect(answer.text).toBe(DEFAULT_CHUNKS.join(''))
    expect(answer.retries.map((retry) => retry.reason)).toEqual([expect.stringContaining('CUDA error: out of memory'), expect.stringContaining('cut off')])
    expect(events.filter((type) => type === 'retry')).toHaveLength(2)
  })

  it('abandons a stream that goes silent longer than the idle timeout, then gives a timeout error', async () => {
    server.script({ kind: 'stall' }, { kind: 'stall' }, { kind: 'stall' })
    const error = await collectAnswer(client.stream({ ...request, idleTimeoutSeconds: 0.3 })).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'PROVIDER_TIMEOUT', message: expect.stringContaining('sent nothing for 0.3 s') })
  })

  it('fails clearly on bytes that are not NDJSON', async () => {
    server.script({ kind: 'garbage' }, { kind: 'garbage' }, { kind: 'garbage' })
    const error = await collectAnswer(client.stream(request)).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'PROVIDER_BAD_RESPONSE', message: expect.stringContaining(`Ollama at ${server.url}`) })
  })

  it('closes the connection when the caller aborts mid-stream and finishes as cancelled', async () => {
    server.script({ kind: 'stall' })
    const controller = new AbortController()
    const closed = server.nextClientClose()
    const events: string[] = []
    const done = collectAnswer(client.stream(request, controller.signal), (event) => {
      events.push(event.type)
      if (event.type === 'text-delta') controller.abort()
    })
    await closed
    expect(await done).toMatchObject({ finish: 'cancelled' })
    expect(events).toEqual(['text-delta', 'finish'])
  })
})
