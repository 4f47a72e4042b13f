import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ManualPrompt } from '../../../agents/contract/index.ts'
import { collectAnswer, ReplayModelClient } from '../../../agents/providers/index.ts'
import { temporaryHost } from '../../../test/helpers/temp-host.ts'
import { dispatch } from '../dispatch.ts'
import { loadCassette, saveCassette } from './cassette-file.ts'

const context = { transport: 'cli' as const }
const setup = temporaryHost()
const files = mkdtempSync(join(tmpdir(), 'akg-manual-'))
afterAll(() => {
  setup.dispose()
  rmSync(files, { recursive: true, force: true })
})

const nextPrompt = () =>
  new Promise<ManualPrompt>((resolve) => {
    const unsubscribe = setup.host.events.subscribe((name, payload) => {
      if (name !== 'manual-prompt-start') return
      unsubscribe()
      resolve(payload as ManualPrompt)
    })
  })

describe('manual provider', () => {
  it('writes the prompt to a file and returns the answer the user saves as the response file', async () => {
    await dispatch(setup.handlers, 'providers.save', { name: 'chat-window', kind: 'manual', manualDir: files, defaultModel: 'gpt-in-a-browser' }, context)
    await dispatch(setup.handlers, 'providers.setRoles', { designer: 'chat-window:gpt-in-a-browser' }, context)
    const { client } = await setup.host.modelFor('designer')
    const posted = nextPrompt()
    const answer = collectAnswer(
      client.stream({
        model: '',
        role: 'designer',
        messages: [
          { role: 'system', content: 'You plan kernels.' },
          { role: 'user', content: 'Plan a fused softmax.' },
        ],
      }),
    )
    const prompt = await posted
    const text = readFileSync(prompt.promptPath, 'utf8')
    expect(text).toContain('===== user message =====\n\nPlan a fused softmax.')
    expect(text).toContain(`Or save the answer as ${prompt.responsePath}.`)
    expect(await dispatch(setup.handlers, 'providers.pending', {}, context)).toMatchObject({ ok: true, data: [{ id: prompt.id, role: 'designer' }] })
    writeFileSync(prompt.responsePath, 'Tile rows by 128; one program per row.\n')
    expect(await answer).toMatchObject({ text: 'Tile rows by 128; one program per row.\n', finish: 'stop' })
    expect(await dispatch(setup.handlers, 'providers.pending', {}, context)).toMatchObject({ ok: true, data: [] })
  })

  it('takes an answer pasted in the UI and keeps it on disk', async () => {
    const { client } = await setup.host.modelFor('designer')
    const posted = nextPrompt()
    const answer = collectAnswer(client.stream({ model: '', role: 'designer', messages: [{ role: 'user', content: 'again' }] }))
    const prompt = await posted
    expect(await dispatch(setup.handlers, 'providers.answer', { id: prompt.id, text: 'pasted answer' }, context)).toEqual({
      ok: true,
      data: { id: prompt.id, responsePath: prompt.responsePath },
    })
    expect((await answer).text).toBe('pasted answer')
    expect(readFileSync(prompt.responsePath, 'utf8')).toBe('pasted answer')
    expect(await dispatch(setup.handlers, 'providers.answer', { id: prompt.id, text: 'late' }, context)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
  })

  it('stops waiting when the run is cancelled', async () => {
    const { client } = await setup.host.modelFor('designer')
    const controller = new AbortController()
    const posted = nextPrompt()
    const answer = collectAnswer(client.stream({ model: '', role: 'designer', messages: [{ role: 'user', content: 'never answered' }] }, controller.signal))
    await posted
    controller.abort()
    expect((await answer).finish).toBe('cancelled')
  })
})

describe('replay provider from a cassette file', () => {
  it('records through the host, saves the cassette, and a replay provider plays it back', async () => {
    const path = join(files, 'session.cassette.json')
    const recorder = setup.host.providers.record(
      new ReplayModelClient({
        format: 'akg-cassette',
        version: 1,
        provider: 'scripted',
        model: 'm',
        recordedAt: '',
        calls: [{ role: 'coder', model: 'm', messagesHash: '0'.repeat(64), chunks: ['class ', 'ModelNew'], usage: null, finish: 'stop' }],
      }),
    )
    await collectAnswer(recorder.stream({ model: 'm', role: 'coder', messages: [{ role: 'user', content: 'write it' }] }))
    await saveCassette(path, recorder.cassette())
    expect((await loadCassette(path)).calls).toHaveLength(1)
    await dispatch(setup.handlers, 'providers.save', { name: 'demo', kind: 'replay', cassettePath: path, defaultModel: 'm' }, context)
    const { client } = await setup.host.modelFor('coder', { coder: 'demo:m' })
    expect((await collectAnswer(client.stream({ model: '', messages: [{ role: 'user', content: 'anything' }] }))).text).toBe('class ModelNew')
  })

  it('names the missing cassette file', async () => {
    const missing = join(files, 'missing.json')
    expect(existsSync(missing)).toBe(false)
    await dispatch(setup.handlers, 'providers.save', { name: 'broken', kind: 'replay', cassettePath: missing }, context)
    const result = await dispatch(setup.handlers, 'providers.test', { name: 'broken' }, context)
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'PROVIDER_CONFIG', message: expect.stringContaining(`Cannot read the cassette ${missing} (ENOENT)`) },
    })
  })
})
