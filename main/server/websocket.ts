import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { dispatch, type Handlers } from '../host/dispatch.ts'
import type { EventBus } from '../host/event-bus.ts'
import { hostAllowed, parseTarget } from './request-target.ts'
import { originAllowed, tokenMatches, requestToken } from './security.ts'

/** Bytes queued on a socket past which events are dropped for that client rather than buffered. */
const SOCKET_BACKLOG_LIMIT = 16 << 20

export interface SocketGate {
  handlers: Handlers
  events: EventBus
  token: string
  hosts: Set<string>
  origins: Set<string>
  maxPayload: number
  log: (line: string) => void
}

/**
 * The WebSocket side of browser mode. Every socket gets an error listener before anything else
 * (a reset or an invalid frame is an event, never an uncaught exception), and every message is
 * checked before it is dispatched.
 */
export function createSocketServer(gate: SocketGate) {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: gate.maxPayload })
  sockets.on('error', (error) => gate.log(`websocket server: ${error.message}`))

  function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (error) => gate.log(`websocket upgrade socket: ${error.message}`))
    const reject = (status: string, why: string) => {
      gate.log(`refused websocket upgrade (${status}): ${why}`)
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      setTimeout(() => socket.destroy(), 1000).unref()
    }
    try {
      if (!hostAllowed(request.headers.host, gate.hosts))
        return reject('403 Forbidden', `Host ${JSON.stringify(request.headers.host ?? null)} is not this studio`)
      const target = parseTarget(request.url)
      if (!target) return reject('400 Bad Request', 'malformed request target')
      if (target.path !== '/ws') return reject('404 Not Found', `no socket at ${target.path}`)
      if (!originAllowed(request.headers.origin, gate.origins)) return reject('403 Forbidden', `origin ${request.headers.origin ?? ''}`)
      if (!tokenMatches(gate.token, requestToken(request, target.query))) return reject('401 Unauthorized', 'missing or wrong token')
      sockets.handleUpgrade(request, socket, head, (client) => attach(client))
    } catch (error) {
      reject('500 Internal Server Error', error instanceof Error ? error.message : String(error))
    }
  }

  function attach(client: WebSocket): void {
    client.on('error', (error) => gate.log(`websocket client: ${error.message}`))
    const unsubscribe = gate.events.subscribe((name, payload) => {
      if (client.readyState !== client.OPEN || client.bufferedAmount > SOCKET_BACKLOG_LIMIT) return
      client.send(JSON.stringify({ type: 'event', name, payload }), noop)
    })
    client.on('close', unsubscribe)
    client.on('message', (raw, isBinary) => onMessage(client, raw, isBinary))
  }

  function onMessage(client: WebSocket, raw: RawData, isBinary: boolean): void {
    const answer = (id: unknown, result: unknown) => {
      if (client.readyState === client.OPEN) client.send(JSON.stringify({ type: 'response', id, result }), noop)
    }
    let message: unknown
    try {
      message = isBinary ? undefined : JSON.parse(rawText(raw))
    } catch {
      message = undefined
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      gate.log('refused a websocket message that is not a JSON object')
      return answer(null, refusal('BAD_MESSAGE', 'Messages must be JSON objects: {"type":"request","id":1,"route":"app.info","input":{}}.'))
    }
    const { type, id, route, input } = message as Record<string, unknown>
    const replyId = typeof id === 'string' || typeof id === 'number' ? id : null
    if (type !== 'request') return answer(replyId, refusal('BAD_MESSAGE', 'Only {"type":"request"} messages are understood.'))
    dispatch(gate.handlers, route, input, { transport: 'browser' }).then(
      (result) => answer(replyId, result),
      (error: unknown) => {
        gate.log(`websocket request ${String(route)} failed: ${error instanceof Error ? error.message : String(error)}`)
        answer(replyId, refusal('INTERNAL', 'The request failed inside the studio; see its log.'))
      },
    )
  }

  return {
    upgrade,
    close(): void {
      for (const client of sockets.clients) client.terminate()
      sockets.close()
    },
  }
}

const noop = () => undefined

const refusal = (code: string, message: string) => ({ ok: false as const, error: { code, message } })

function rawText(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8')
  return Buffer.from(raw as ArrayBuffer).toString('utf8')
}
