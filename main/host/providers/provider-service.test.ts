import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ModelPullProgress } from '../../../agents/contract/index.ts'
import { collectAnswer } from '../../../agents/providers/index.ts'
import {
  closedPortUrl,
  DEFAULT_CHUNKS,
  OLLAMA_PULLABLE,
  startOllamaServer,
  startOpenAiServer,
  type LlmServer,
} from '../../../test/helpers/llm-servers/index.ts'
import { temporaryHost } from '../../../test/helpers/temp-host.ts'
import { dispatch } from '../dispatch.ts'

const context = { transport: 'browser' as const }
const SECRET = 'sk-live-do-not-leak-4242'
const setup = temporaryHost()
let ollama: LlmServer
let openai: LlmServer

const call = async (route: string, input: unknown) => {
  const result = await dispatch(setup.handlers, route, input, context)
  if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code })
  return result.data as never
}

beforeAll(async () => {
  ollama = await startOllamaServer()
  openai = await startOpenAiServer({ apiKey: SECRET })
})
afterAll(async () => {
  await Promise.all([ollama.close(), openai.close()])
  await setup.dispose()
})

describe('providers routes', () => {
  it('starts with a local Ollama provider and no key', async () => {
    const list: Array<{ name: string; kind: string; baseUrl: string; hasKey: boolean }> = await call('providers.list', {})
    expect(list).toEqual([expect.objectContaining({ name: 'ollama', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434', hasKey: false, status: 'unknown' })])
  })

  it('stores an API key where neither providers.list nor settings.json can show it', async () => {
    const saved: { hasKey: boolean } = await call('providers.save', {
      name: 'vllm-box',
      kind: 'openai',
      baseUrl: `${openai.url}/v1`,
      defaultModel: 'deepseek-chat',
      apiKey: SECRET,
    })
    expect(saved.hasKey).toBe(true)
    expect(JSON.stringify(saved)).not.toContain(SECRET)
    const list = await call('providers.list', {})
    expect(JSON.stringify(list)).not.toContain(SECRET)
    expect(list).toContainEqual(expect.objectContaining({ name: 'vllm-box', hasKey: true }))
    // On disk: only the secrets file holds the key, and only its owner can read it.
    await setup.host.settings.update((settings) => ({ ...settings, theme: 'light' }))
    const holders = readdirSync(setup.dataDir).filter(
      (file) => statSync(join(setup.dataDir, file)).isFile() && readFileSync(join(setup.dataDir, file), 'utf8').includes(SECRET),
    )
    expect(holders).toEqual(['secrets.json'])
    expect(readFileSync(join(setup.dataDir, 'settings.json'), 'utf8')).not.toContain(SECRET)
    expect(statSync(join(setup.dataDir, 'secrets.json')).mode & 0o777).toBe(0o600)
  })

  it('tests a reachable provider with its stored key and lists its models', async () => {
    const result: { models: Array<{ name: string }> } = await call('providers.test', { name: 'vllm-box' })
    expect(result.models.map((model) => model.name)).toContain('deepseek-chat')
    expect(openai.requests.at(-1)?.headers.authorization).toBe(`Bearer ${SECRET}`)
    expect(await call('providers.list', {})).toContainEqual(expect.objectContaining({ name: 'vllm-box', status: 'ok' }))
  })

  it('answers a test of a provider that is down with its clear error, and remembers it in the list', async () => {
    const url = await closedPortUrl()
    await call('providers.save', { name: 'ollama', kind: 'ollama', baseUrl: url })
    await expect(call('providers.test', { name: 'ollama' })).rejects.toMatchObject({
      code: 'PROVIDER_UNREACHABLE',
      message: `Ollama is not running at ${url} (connection refused): start it with \`ollama serve\`, then \`ollama pull qwen2.5-coder:7b\`.`,
    })
    expect(await call('providers.list', {})).toContainEqual(
      expect.objectContaining({ name: 'ollama', status: 'error', message: expect.stringContaining('ollama serve') }),
    )
  })

  it('tests the saved address when Test follows Save without waiting for it', async () => {
    // Where the provider points now (nothing listening), then Save and Test sent together, as
    // two clicks in Settings; the save's write is slowed, as on a busy disk. The test must reach
    // the new address, and no client for the old one may stay behind.
    await call('providers.save', { name: 'ollama', kind: 'ollama', baseUrl: await closedPortUrl() })
    const file = (setup.host.providers as unknown as { file: { update: (change: unknown) => Promise<unknown> } }).file
    const update = file.update.bind(file)
    const slowed = vi.spyOn(file, 'update').mockImplementation(async (change) => {
      await new Promise((resolve) => setTimeout(resolve, 300))
      return update(change)
    })
    try {
      const saving = call('providers.save', { name: 'ollama', kind: 'ollama', baseUrl: ollama.url })
      const testing: Promise<{ models: unknown[] }> = call('providers.test', { name: 'ollama' })
      await saving
      expect((await testing).models.length).toBeGreaterThan(0)
    } finally {
      slowed.mockRestore()
    }
    expect(((await call('providers.test', { name: 'ollama' })) as { models: unknown[] }).models.length).toBeGreaterThan(0)
  })

  it('pulls an Ollama model with model-pull-progress events', async () => {
    await call('providers.save', { name: 'ollama', kind: 'ollama', baseUrl: ollama.url })
    const seen: ModelPullProgress[] = []
    const unsubscribe = setup.host.events.subscribe((name, payload) => name === 'model-pull-progress' && seen.push(payload as ModelPullProgress))
    expect(await call('providers.pull', { name: 'ollama', model: OLLAMA_PULLABLE })).toEqual({ provider: 'ollama', model: OLLAMA_PULLABLE })
    unsubscribe()
    expect(seen.at(-1)).toEqual({ provider: 'ollama', model: OLLAMA_PULLABLE, status: 'success', completed: null, total: null })
    expect(seen).toContainEqual({ provider: 'ollama', model: OLLAMA_PULLABLE, status: 'pulling 60e05f210007', completed: 750_000, total: 1_000_000 })
    await expect(call('providers.pull', { name: 'vllm-box', model: 'x' })).rejects.toMatchObject({ code: 'PROVIDER_CONFIG' })
  })

  it('routes each role to its provider and model, and the loop gets a working client', async () => {
    await expect(call('providers.setRoles', { coder: 'nowhere:model' })).rejects.toMatchObject({
      message: expect.stringContaining('no provider named nowhere'),
    })
    expect(await call('providers.setRoles', { designer: 'vllm-box:deepseek-chat', coder: 'ollama:qwen2.5-coder:7b' })).toEqual({
      designer: 'vllm-box:deepseek-chat',
      coder: 'ollama:qwen2.5-coder:7b',
    })
    expect(await call('providers.roles', {})).toMatchObject({ designer: 'vllm-box:deepseek-chat' })
    const designer = await setup.host.modelFor('designer')
    expect(designer).toMatchObject({ provider: 'vllm-box', model: 'deepseek-chat' })
    const answer = await collectAnswer(designer.client.stream({ model: '', messages: [{ role: 'user', content: 'plan' }] }))
    expect(answer.text).toBe(DEFAULT_CHUNKS.join(''))
    expect(openai.requests.at(-1)?.body).toMatchObject({ model: 'deepseek-chat' })
    // The fixer has no model of its own: it uses the coder's. A run's override wins over the saved role.
    expect(await setup.host.modelFor('fixer')).toMatchObject({ provider: 'ollama', model: 'qwen2.5-coder:7b' })
    expect(await setup.host.modelFor('designer', { designer: 'ollama:llama3.1:8b' })).toMatchObject({ provider: 'ollama', model: 'llama3.1:8b' })
  })

  it('removes a provider together with its key', async () => {
    expect(await call('providers.remove', { name: 'vllm-box' })).toEqual({ removed: true })
    expect(readFileSync(join(setup.dataDir, 'secrets.json'), 'utf8')).not.toContain(SECRET)
    await expect(call('providers.models', { name: 'vllm-box' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
