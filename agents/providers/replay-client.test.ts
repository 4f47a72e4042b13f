import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOllamaServer, type LlmServer } from '../../test/helpers/llm-servers/index.ts'
import { parseCassette, type Cassette } from './cassette.ts'
import { collectAnswer } from './collect.ts'
import { OllamaModelClient } from './ollama-client.ts'
import { RecordingModelClient } from './recording-client.ts'
import { ReplayModelClient } from './replay-client.ts'

const ask = (role: 'designer' | 'coder', content: string) => ({ model: 'qwen2.5-coder:7b', role, messages: [{ role: 'user' as const, content }] })

let server: LlmServer
let recorded: Cassette
beforeAll(async () => {
  server = await startOllamaServer()
  const recorder = new RecordingModelClient(new OllamaModelClient({ baseUrl: server.url, policy: { baseDelayMs: 1, maxDelayMs: 2 } }), {
    provider: 'ollama',
    model: 'qwen2.5-coder:7b',
  })
  server.script({ kind: 'ok', chunks: ['plan: ', 'tile 128'] }, { kind: 'truncate' }, { kind: 'ok', chunks: ['code v1'] }, { kind: 'ok', chunks: ['code v2'] })
  await collectAnswer(recorder.stream(ask('designer', 'plan relu')))
  await collectAnswer(recorder.stream(ask('coder', 'write relu'))) // cut off once, retried: only the final answer is kept
  await collectAnswer(recorder.stream(ask('coder', 'fix relu')))
  // JSON round trip, as the cassette goes through a file.
  recorded = parseCassette(JSON.parse(JSON.stringify(recorder.cassette())), 'test')
})
afterAll(() => server.close())

describe('record and replay', () => {
  it('records each completed call with its role, prompt hash, chunks and usage', () => {
    expect(recorded).toMatchObject({ format: 'akg-cassette', version: 1, provider: 'ollama', model: 'qwen2.5-coder:7b' })
    expect(recorded.calls.map((call) => [call.role, call.chunks.join('')])).toEqual([
      ['designer', 'plan: tile 128'],
      ['coder', 'code v1'],
      ['coder', 'code v2'],
    ])
    expect(recorded.calls[1]?.usage).toEqual({ inputTokens: 'write relu'.length, outputTokens: 1, costUsd: null })
    expect(recorded.calls[0]?.messagesHash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('plays the session back chunk by chunk without a server, matching by role and order', async () => {
    const replay = new ReplayModelClient(recorded, { source: 'relu.cassette.json' })
    const deltas: string[] = []
    // The coder asks first this time, with a different prompt: role order is what counts.
    const coder = await collectAnswer(
      replay.stream(ask('coder', 'write relu, with fresh timings 1.23 ms')),
      (event) => event.type === 'text-delta' && deltas.push(event.text),
    )
    expect(coder.text).toBe('code v1')
    expect((await collectAnswer(replay.stream(ask('designer', 'plan relu')))).text).toBe('plan: tile 128')
    expect((await collectAnswer(replay.stream(ask('coder', 'fix relu')))).usage).toEqual(recorded.calls[2]?.usage)
    expect(deltas).toEqual(['code v1'])
    expect(replay.remaining()).toEqual({ designer: 0, coder: 0 })
  })

  it('says when the cassette is used up for a role, and when it never had that role', async () => {
    const replay = new ReplayModelClient(recorded, { source: 'relu.cassette.json' })
    await collectAnswer(replay.stream(ask('designer', 'plan relu')))
    await expect(collectAnswer(replay.stream(ask('designer', 'plan again')))).rejects.toMatchObject({
      code: 'PROVIDER_CONFIG',
      message:
        "relu.cassette.json is used up for the designer role: it recorded 1 designer call(s) and this is call 2. Record a longer session or lower the run's budget.",
    })
    await expect(collectAnswer(replay.stream({ ...ask('coder', 'x'), role: 'conductor' as never }))).rejects.toMatchObject({
      message: 'relu.cassette.json has no recorded call for the conductor role (it holds designer ×1, coder ×2): record a cassette with the same workflow.',
    })
  })

  it('in strict mode refuses a prompt that differs from the recording', async () => {
    const replay = new ReplayModelClient(recorded, { source: 'relu.cassette.json', match: 'strict' })
    expect((await collectAnswer(replay.stream(ask('designer', 'plan relu')))).text).toBe('plan: tile 128')
    await expect(collectAnswer(replay.stream(ask('coder', 'write relu differently')))).rejects.toMatchObject({
      message: expect.stringContaining('at call 2 (coder): the prompt differs'),
    })
    await expect(collectAnswer(new ReplayModelClient(recorded, { match: 'strict' }).stream(ask('coder', 'write relu')))).rejects.toMatchObject({
      message: expect.stringContaining('recorded a designer call, the run made a coder call'),
    })
  })

  it('stops replaying when cancelled', async () => {
    const replay = new ReplayModelClient(recorded)
    const controller = new AbortController()
    const answer = await collectAnswer(replay.stream(ask('designer', 'plan relu'), controller.signal), () => controller.abort())
    expect(answer.finish).toBe('cancelled')
  })

  it('refuses a file that is not a cassette, naming the field', () => {
    expect(() => parseCassette({ format: 'akg-cassette', version: 2, calls: [] }, 'old.json')).toThrow(
      /old\.json is not an AKG cassette \(version 1\): version/,
    )
  })
})
