import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { dispatch, type Handlers } from '../host/dispatch.ts'
import type { EventBus } from '../host/event-bus.ts'
import { contentSecurityPolicy, originAllowed, requestToken, tokenMatches } from './security.ts'
import { serveStatic } from './static-files.ts'

export interface StudioServerOptions {
  handlers: Handlers
  events: EventBus
  /** The built renderer (out/renderer); when absent only the API is served. */
  staticDir?: string
  hostname?: string
  port?: number
  token?: string
}

export interface StudioServer {
  url: string
  /** The URL to open in a browser, token included. */
  openUrl: string
  token: string
  hostname: string
  port: number
  close(): Promise<void>
}

/** Request bodies are small JSON documents; anything larger is refused. */
const BODY_LIMIT = 4 << 20
/** Bytes queued on a socket past which events are dropped for that client rather than buffered. */
const SOCKET_BACKLOG_LIMIT = 16 << 20

export async function startStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  const hostname = options.hostname ?? '127.0.0.1'
  const token = options.token ?? randomBytes(24).toString('hex')
  const allowedOrigins = new Set<string>()
  let csp = ''

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { ok: false, error: { code: 'INTERNAL', message: String(error) } })
    })
  })
  const sockets = new WebSocketServer({ noServer: true, maxPayload: BODY_LIMIT })

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? hostname}`)
    const security = { 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' }
    if (url.pathname.startsWith('/api/')) {
      if (!originAllowed(request.headers.origin, allowedOrigins)) return sendJson(response, 403, refusal('ORIGIN_REFUSED', 'Requests from this origin are refused.'))
      if (!tokenMatches(token, requestToken(request, url))) return sendJson(response, 401, refusal('TOKEN_REQUIRED', 'Missing or wrong session token: open the URL the studio printed, token included.'))
      if (request.method !== 'POST') return sendJson(response, 405, refusal('METHOD_NOT_ALLOWED', 'Use POST with a JSON body.'))
      const body = await readBody(request)
      if (body === undefined) return sendJson(response, 400, refusal('BAD_JSON', 'The request body is not JSON or is too large.'))
      const result = await dispatch(options.handlers, url.pathname.slice('/api/'.length), body, { transport: 'browser' })
      return sendJson(response, 200, result)
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendJson(response, 405, refusal('METHOD_NOT_ALLOWED', 'Only GET is served here.'))
    // The page itself needs the token in its URL, like Jupyter; its static assets are public build output.
    if ((url.pathname === '/' || url.pathname === '/index.html') && !tokenMatches(token, url.searchParams.get('token'))) {
      response.writeHead(401, { ...security, 'Content-Type': 'text/plain; charset=utf-8' })
      return void response.end('AKG Studio: open the full URL printed by `npm run serve` (it carries the session token).\n')
    }
    if (options.staticDir && (await serveStatic(options.staticDir, url.pathname, response, security))) return
    response.writeHead(404, { ...security, 'Content-Type': 'text/plain; charset=utf-8' })
    response.end(options.staticDir ? 'Not found.\n' : 'The renderer is not built: run `npm run build`.\n')
  }

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? hostname}`)
    const reject = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    if (url.pathname !== '/ws') return reject('404 Not Found')
    if (!originAllowed(request.headers.origin, allowedOrigins)) return reject('403 Forbidden')
    if (!tokenMatches(token, requestToken(request, url))) return reject('401 Unauthorized')
    sockets.handleUpgrade(request, socket, head, (client) => attachClient(client))
  })

  function attachClient(client: WebSocket): void {
    const unsubscribe = options.events.subscribe((name, payload) => {
      if (client.readyState !== client.OPEN || client.bufferedAmount > SOCKET_BACKLOG_LIMIT) return
      client.send(JSON.stringify({ type: 'event', name, payload }))
    })
    client.on('close', unsubscribe)
    client.on('message', (raw) => {
      let message: { type?: unknown; id?: unknown; route?: unknown; input?: unknown }
      try {
        message = JSON.parse(raw.toString()) as typeof message
      } catch {
        return client.send(JSON.stringify({ type: 'response', id: null, result: refusal('BAD_JSON', 'Messages must be JSON.') }))
      }
      if (message.type !== 'request') return
      void dispatch(options.handlers, message.route, message.input, { transport: 'browser' }).then((result) => {
        if (client.readyState === client.OPEN) client.send(JSON.stringify({ type: 'response', id: message.id, result }))
      })
    })
  }

  const port = await listen(server, hostname, options.port ?? 0)
  const base = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`
  allowedOrigins.add(base)
  if (hostname === '127.0.0.1') allowedOrigins.add(`http://localhost:${port}`)
  csp = contentSecurityPolicy([...allowedOrigins].map((origin) => origin.replace(/^http/, 'ws')))

  return {
    url: base,
    openUrl: `${base}/?token=${token}`,
    token,
    hostname,
    port,
    close: () =>
      new Promise((resolveClose) => {
        for (const client of sockets.clients) client.terminate()
        sockets.close()
        server.closeAllConnections()
        server.close(() => resolveClose())
      }),
  }
}

function listen(server: ReturnType<typeof createServer>, hostname: string, port: number): Promise<number> {
  return new Promise((resolveListen, rejectListen) => {
    server.once('error', rejectListen)
    server.listen(port, hostname, () => {
      server.off('error', rejectListen)
      resolveListen((server.address() as AddressInfo).port)
    })
  })
}

const refusal = (code: string, message: string) => ({ ok: false as const, error: { code, message } })

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  response.end(text)
}

function readBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolveBody) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > BODY_LIMIT) {
        request.destroy()
        resolveBody(undefined)
      } else chunks.push(chunk)
    })
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      if (text.trim() === '') return resolveBody({})
      try {
        resolveBody(JSON.parse(text))
      } catch {
        resolveBody(undefined)
      }
    })
    request.on('error', () => resolveBody(undefined))
  })
}
