import { randomBytes } from 'node:crypto'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { maxManualAnswerChars } from '../../agents/contract/index.ts'
import { temporaryHost } from '../../test/helpers/temp-host.ts'
import { MAX_REQUEST_BYTES, startStudioServer, type StudioServer } from './server.ts'

const setup = temporaryHost()
const staticDir = mkdtempSync(join(tmpdir(), 'akg-static-'))
const logged: string[] = []
let server: StudioServer

beforeAll(async () => {
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>studio page</title>')
  mkdirSync(join(staticDir, 'assets'))
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)')
  server = await startStudioServer({ handlers: setup.handlers, events: setup.host.events, staticDir, log: (line) => logged.push(line) })
})
afterAll(async () => {
  await server.close()
  await setup.dispose()
  rmSync(staticDir, { recursive: true, force: true })
})

/**
 * Writes raw bytes to the server and resolves with everything it answers until it closes. The idle
 * fallback is long: after a stall on a loaded machine, the timer would fire before the answer is read.
 */
function raw(bytes: Buffer | string, options: { keepOpenMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(server.port, '127.0.0.1')
    const received: Buffer[] = []
    const done = () => resolve(Buffer.concat(received).toString('latin1'))
    socket.on('data', (chunk) => received.push(chunk))
    socket.on('error', () => undefined)
    socket.on('close', done)
    socket.setTimeout(options.keepOpenMs ?? 30_000, () => socket.destroy())
    socket.write(bytes)
  })
}

const statusOf = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)
const host = () => `127.0.0.1:${server.port}`
const get = (target: string, headers = '') => raw(`GET ${target} HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n${headers}\r\n`)

/** The server still answers an ordinary authenticated request. */
async function stillAnswers(): Promise<void> {
  const response = await fetch(`${server.url}/api/app.info`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}` }, body: '{}' })
  expect(response.status).toBe(200)
  expect(await response.json()).toMatchObject({ ok: true })
}

/** Completes a WebSocket handshake on a raw socket, so the test can write any frame it likes. */
function openRawSocket(): Promise<{ socket: Socket; closed: Promise<Buffer> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1')
    const key = randomBytes(16).toString('base64')
    let buffer = Buffer.alloc(0)
    let upgraded = false
    const after: Buffer[] = []
    const closed = new Promise<Buffer>((resolveClosed) => socket.on('close', () => resolveClosed(Buffer.concat(after))))
    socket.on('error', () => undefined)
    socket.on('data', (chunk) => {
      if (upgraded) return void after.push(chunk)
      buffer = Buffer.concat([buffer, chunk])
      const end = buffer.indexOf('\r\n\r\n')
      if (end < 0) return
      upgraded = true
      if (!buffer.subarray(0, end).toString().startsWith('HTTP/1.1 101')) return reject(new Error(buffer.toString()))
      after.push(buffer.subarray(end + 4))
      resolve({ socket, closed })
    })
    socket.write(
      `GET /ws?token=${server.token} HTTP/1.1\r\nHost: ${host()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    )
  })
}

/** One client frame (small payloads only): FIN set, the given opcode, masked unless told not to. */
function frame(opcode: number, payload: Buffer, masked = true): Buffer {
  const mask = randomBytes(4)
  const body = masked ? Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4]!)) : payload
  return Buffer.concat([Buffer.from([0x80 | opcode, (masked ? 0x80 : 0) | payload.length]), masked ? mask : Buffer.alloc(0), body])
}

/**
 * The close code in the server's close frame, if it sent one. Frames the server pushed before
 * it (a runner-status event on connect, say) are walked past: server frames are unmasked.
 */
function closeCode(bytes: Buffer): number | null {
  let at = 0
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f
    let length = bytes[at + 1]! & 0x7f
    let header = 2
    if (length === 126) [length, header] = [at + 4 <= bytes.length ? bytes.readUInt16BE(at + 2) : Infinity, 4]
    else if (length === 127) [length, header] = [at + 10 <= bytes.length ? Number(bytes.readBigUInt64BE(at + 2)) : Infinity, 10]
    if (opcode === 0x8) return length >= 2 && at + header + 2 <= bytes.length ? bytes.readUInt16BE(at + header) : null
    at += header + length
  }
  return null
}

function wsClient(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(`ws://${host()}/ws?token=${server.token}`, { maxPayload: 0 })
    client.on('open', () => resolve(client))
    client.on('error', reject)
  })
}

/** The next response on the socket; events the server pushes meanwhile (runner status, run updates) are skipped. */
function nextMessage(client: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>
      if (message.type === 'event') return
      client.off('message', onMessage)
      resolve(message)
    }
    client.on('message', onMessage)
  })
}

describe('malformed upgrades', () => {
  it.each([
    ['a Host that is not a URL authority', `GET /ws?token=TOKEN HTTP/1.1\r\nHost: [::bad\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`, 403],
    ['a foreign Host (DNS rebinding)', `GET /ws?token=TOKEN HTTP/1.1\r\nHost: evil.example:PORT\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`, 403],
    ['an absolute request target that is not a URL', `GET http://[ HTTP/1.1\r\nHost: HOST\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`, 400],
    ['a malformed escape in the target', `GET /ws%zz?token=TOKEN HTTP/1.1\r\nHost: HOST\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`, 400],
    [
      'no token',
      `GET /ws HTTP/1.1\r\nHost: HOST\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      401,
    ],
    ['the token but no WebSocket key', `GET /ws?token=TOKEN HTTP/1.1\r\nHost: HOST\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`, 400],
  ])('%s is refused with its status and the server keeps answering', async (_name, request, status) => {
    const text = request.replaceAll('TOKEN', server.token).replaceAll('HOST', host()).replaceAll('PORT', String(server.port))
    expect(statusOf(await raw(text))).toBe(status)
    await stillAnswers()
  })
})

describe('messages and frames', () => {
  it('answers JSON null, arrays and non-requests with BAD_MESSAGE', async () => {
    const client = await wsClient()
    for (const message of ['null', '[]', '42', '"text"', '{"type":"request","id":{"x":1},"route":null}', 'not json']) {
      const answer = nextMessage(client)
      client.send(message)
      expect(await answer).toMatchObject({ type: 'response', result: { ok: false } })
    }
    client.close()
    await stillAnswers()
  })

  it.each([
    ['an unmasked client frame', frame(0x1, Buffer.from('{"type":"request"}'), false)],
    ['bad UTF-8 in a text frame', frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
    ['a reserved opcode', frame(0x3, Buffer.from('x'))],
    ['a reserved control opcode', frame(0xb, Buffer.from('x'))],
    ['a control frame without FIN', Buffer.from([0x09, 0x80, 1, 2, 3, 4])],
  ])('closes the socket on %s and keeps serving', async (_name, bytes) => {
    const { socket, closed } = await openRawSocket()
    socket.write(bytes)
    const answer = await closed
    expect([1002, 1007]).toContain(closeCode(answer))
    await stillAnswers()
  })

  it('carries a manual answer as long as the contract allows, and closes a socket that sends more than any', async () => {
    const client = await wsClient()
    const longest = 'x'.repeat(maxManualAnswerChars)
    const answer = nextMessage(client)
    client.send(JSON.stringify({ type: 'request', id: 1, route: 'providers.answer', input: { id: 'no-such-prompt', text: longest } }))
    // The message reached the handler (which knows no such prompt) instead of closing the socket.
    expect(await answer).toMatchObject({ id: 1, result: { ok: false, error: { code: 'NOT_FOUND' } } })
    const closed = new Promise<number>((resolve) => client.on('close', (code) => resolve(code)))
    client.on('error', () => undefined)
    client.send(Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x20), { binary: false })
    expect(await closed).toBe(1009)
    await stillAnswers()
  })
})

describe('paths and bodies', () => {
  it.each(['/%69ndex.html', '/..%2f', '/%2e%2e/', '/assets/../index.html', '//index.html', '/./index.html'])(
    'gates %s like the page itself',
    async (target) => {
      const answer = await get(target)
      expect(statusOf(answer)).toBe(401)
      expect(answer).not.toContain('studio page')
    },
  )

  it('serves the page with its token and public assets without', async () => {
    expect(statusOf(await get(`/%69ndex.html?token=${server.token}`))).toBe(200)
    expect(statusOf(await get('/assets/app.js'))).toBe(200)
  })

  it.each(['/%E0%A4%A', '/%', '/api/%zz', '/%00', '/a%5c..%5cindex.html'])('answers 400 to the malformed path %s', async (target) => {
    expect(statusOf(await get(target))).toBe(400)
    await stillAnswers()
  })

  it('answers 403 to a foreign Host and 400 to an unparseable request', async () => {
    expect(statusOf(await raw(`GET /?token=${server.token} HTTP/1.1\r\nHost: rebound.example:${server.port}\r\nConnection: close\r\n\r\n`))).toBe(403)
    expect(statusOf(await raw('GARBAGE\r\n\r\n'))).toBe(400)
    expect(statusOf(await raw(`GET / HTTP/1.1\r\nHost: ${host()}\r\nX: ${'a'.repeat(70_000)}\r\n\r\n`))).toBe(431)
    await stillAnswers()
  })

  it('answers 413 to a body declared or streamed past the limit', async () => {
    const declared = `POST /api/app.info HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${server.token}\r\nContent-Length: ${MAX_REQUEST_BYTES + 1}\r\n\r\n{`
    expect(statusOf(await raw(declared))).toBe(413)
    const chunk = Buffer.alloc(1 << 20, 0x20)
    const streamed = await new Promise<string>((resolve) => {
      const socket = connect(server.port, '127.0.0.1')
      const received: Buffer[] = []
      socket.on('data', (data) => received.push(data))
      socket.on('error', () => undefined)
      socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')))
      socket.write(`POST /api/app.info HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${server.token}\r\nTransfer-Encoding: chunked\r\n\r\n`)
      const pump = (left: number) => {
        if (left === 0 || socket.destroyed) return
        socket.write(`${chunk.length.toString(16)}\r\n`)
        socket.write(chunk)
        if (socket.write('\r\n')) pump(left - 1)
        else socket.once('drain', () => pump(left - 1))
      }
      pump(Math.ceil(MAX_REQUEST_BYTES / chunk.length) + 2)
    })
    expect(statusOf(streamed)).toBe(413)
    await stillAnswers()
  })
})

describe('bounded random fuzz', () => {
  it('survives 150 random requests, upgrades and frames', async () => {
    let seed = 0x5eed
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!
    const junk = (length: number) => Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)))
    const targets = ['/', '/ws', '/api/app.info', '/%', '/%ff%fe', '/..', '/%2e%2e%2f%2e%2e', `/?token=${server.token}`, '*', 'http://x', '/\u00ff']
    for (let index = 0; index < 150; index += 1) {
      const kind = index % 3
      if (kind === 0) {
        const headers = pick(['', `Host: ${host()}\r\n`, 'Host: \r\n', `Host: ${junk(6).toString('latin1')}\r\n`])
        const upgrade =
          random() < 0.5
            ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
            : 'Connection: close\r\n'
        await raw(`${pick(['GET', 'POST', 'PUT', 'OPTIONS'])} ${pick(targets)} HTTP/1.1\r\n${headers}${upgrade}Authorization: Bearer ${server.token}\r\n\r\n`, {
          keepOpenMs: 300,
        })
      } else if (kind === 1) {
        await raw(junk(1 + Math.floor(random() * 200)), { keepOpenMs: 200 })
      } else {
        const { socket, closed } = await openRawSocket()
        socket.write(junk(2 + Math.floor(random() * 60)))
        setTimeout(() => socket.destroy(), 200)
        await closed
      }
    }
    await stillAnswers()
    expect(logged.length).toBeGreaterThan(0)
  })
})
