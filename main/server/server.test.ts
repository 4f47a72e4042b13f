import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { temporaryHost } from '../../test/helpers/temp-host.ts'
import { dispatch } from '../host/dispatch.ts'
import { startStudioServer, type StudioServer } from './server.ts'

const setup = temporaryHost()
let server: StudioServer

beforeAll(async () => {
  server = await startStudioServer({ handlers: setup.handlers, events: setup.host.events })
})
afterAll(async () => {
  await server.close()
  await setup.dispose()
})

function post(route: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })
}

/** Opens a socket and resolves with the HTTP status of a refused upgrade, or 101 when accepted. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers })
    socket.on('open', () => {
      socket.close()
      resolve(101)
    })
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
    socket.on('error', () => undefined)
  })
}

function wsRequest(route: string, input: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${server.token}`)
    socket.on('open', () => socket.send(JSON.stringify({ type: 'request', id: 7, route, input })))
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { type: string; id: number; result: unknown }
      if (message.type === 'response' && message.id === 7) {
        socket.close()
        resolve(message.result)
      }
    })
    socket.on('error', reject)
  })
}

describe('browser mode security', () => {
  it('binds 127.0.0.1 by default', () => {
    expect(server.hostname).toBe('127.0.0.1')
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('refuses API requests without the token', async () => {
    const response = await post('app.info', {})
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'TOKEN_REQUIRED' } })
  })

  it('refuses API requests with a wrong token', async () => {
    const response = await post('app.info', {}, { Authorization: `Bearer ${'0'.repeat(server.token.length)}` })
    expect(response.status).toBe(401)
  })

  it('refuses requests from another origin even with the token', async () => {
    const response = await post('app.info', {}, { Authorization: `Bearer ${server.token}`, Origin: 'http://evil.example' })
    expect(response.status).toBe(403)
  })

  it('serves the page only with the token in its URL', async () => {
    expect((await fetch(`${server.url}/`)).status).toBe(401)
  })

  it('refuses WebSocket upgrades without the token or from another origin', async () => {
    const base = `${server.url.replace('http', 'ws')}/ws`
    expect(await upgradeStatus(base)).toBe(401)
    expect(await upgradeStatus(`${base}?token=${server.token}`, { Origin: 'http://evil.example' })).toBe(403)
    expect(await upgradeStatus(`${base}?token=${server.token}`, { Origin: server.url })).toBe(101)
  })

  it('accepts the token and answers through the shared handlers', async () => {
    const response = await post('app.info', {}, { Authorization: `Bearer ${server.token}` })
    expect(await response.json()).toMatchObject({ ok: true, data: { transport: 'browser' } })
  })
})

describe('one contract, two transports', () => {
  it.each([
    ['tasks.list', {}],
    ['tasks.read', { id: 'sample:level1/23_Softmax.py' }],
    ['tasks.read', { id: 'sample:does-not-exist.py' }],
    ['tasks.open', { path: 17 }],
  ])('%s gives the same answer over WebSocket as through the handler map', async (route, input) => {
    const direct = await dispatch(setup.handlers, route, input, { transport: 'browser' })
    expect(await wsRequest(route, input)).toEqual(JSON.parse(JSON.stringify(direct)))
  })

  it('pushes backend events to connected clients', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${server.token}`)
    await new Promise((resolve) => socket.on('open', resolve))
    const received = new Promise<unknown>((resolve) =>
      socket.on('message', (raw) => {
        const message = JSON.parse(raw.toString()) as { type: string; name: string; payload: unknown }
        if (message.type === 'event' && message.name === 'toolchain-detect-end') resolve(message.payload)
      }),
    )
    const report = { detectedAt: 'now', python: null, packages: [], executables: [], durationMs: 1 }
    setup.host.events.emit('toolchain-detect-end', report as never)
    expect(await received).toEqual(report)
    socket.close()
  })
})
