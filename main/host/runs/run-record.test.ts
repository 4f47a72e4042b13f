import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cpp } from '../../../agents/dsl/cpp/index.ts'
import { FakeRunner } from '../../../agents/testing/fake-runner.ts'
import { judge } from '../../../agents/testing/run-fixture.ts'
import { parseCassette } from '../../../agents/providers/index.ts'
import { startOpenAiServer, type LlmServer } from '../../../test/helpers/llm-servers/index.ts'
import { temporaryHost } from '../../../test/helpers/temp-host.ts'
import { dispatch } from '../dispatch.ts'
import { CASSETTE_FILE, RunManager } from './run-manager.ts'
import { cassettePrefix } from './run-models.ts'

const relu = join(import.meta.dirname, '..', '..', '..', 'resources', 'tasks', 'level1', '19_ReLU.py')
const setup = temporaryHost()
let server: LlmServer

beforeAll(async () => {
  server = await startOpenAiServer()
})
afterAll(async () => {
  await server.close()
  await setup.dispose()
})

/** A fenced cpp answer the fake runner judges by its marker, split into chunks as a server streams. */
const answer = (verdict: string) => ['Here is the kernel.\n```python\n', cpp.skeleton, `# fake-verdict: ${verdict}\n`, '```\n']

describe('recording a live session', () => {
  it('records every role of a run against an OpenAI-compatible server into a cassette that replays the same run', async () => {
    const result = await dispatch(
      setup.handlers,
      'providers.save',
      { name: 'loopback', kind: 'openai', baseUrl: `${server.url}/v1`, defaultModel: 'deepseek-chat' },
      { transport: 'browser' },
    )
    expect(result.ok).toBe(true)
    server.script(
      { kind: 'ok', chunks: ['Plan: ', 'one loop.'] },
      { kind: 'ok', chunks: answer('compile_error') },
      { kind: 'ok', chunks: answer('passed 0.5') },
    )
    const runner = new FakeRunner(judge, (path) => readFileSync(path, 'utf8'), 2)
    const manager = new RunManager(setup.host, { dependencies: async () => ({ runner }) })
    const recorded = await manager.wait((await manager.start({ taskPath: relu, dsl: 'cpp', models: { coder: 'loopback:deepseek-chat' }, record: true })).id)
    expect(recorded).toMatchObject({ status: 'completed', best: { candidateId: 'c0002' } })
    const path = join(setup.dataDir, 'runs', recorded.id, CASSETTE_FILE)
    const cassette = parseCassette(JSON.parse(readFileSync(path, 'utf8')), path)
    expect(cassette.calls.map((call) => call.role)).toEqual(['designer', 'coder', 'fixer'])
    expect(cassette.calls[2]!.chunks.join('')).toContain('# fake-verdict: passed 0.5')
    expect(cassette.calls[0]!.usage).toMatchObject({ inputTokens: expect.any(Number), outputTokens: expect.any(Number) })

    // The replay needs no server: the same answers give the same candidates and verdicts.
    const requestsBefore = server.requests.length
    const replayed = await manager.wait(
      (
        await manager.start({
          taskPath: relu,
          dsl: 'cpp',
          models: { designer: `${cassettePrefix}${path}`, coder: `${cassettePrefix}${path}`, fixer: `${cassettePrefix}${path}` },
        })
      ).id,
    )
    expect(server.requests.length).toBe(requestsBefore)
    const codes = async (runId: string) => Promise.all(['c0001', 'c0002'].map(async (id) => (await manager.candidate(runId, id)).code))
    expect(await codes(replayed.id)).toEqual(await codes(recorded.id))
    expect(replayed).toMatchObject({ status: 'completed', best: { candidateId: 'c0002', medianMs: 0.5 } })
  })
})
