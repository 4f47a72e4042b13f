import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { maxManualAnswerChars } from '../../agents/contract/index.ts'
import { dispatch, type Handlers } from '../host/dispatch.ts'
import type { EventBus } from '../host/event-bus.ts'
import { readJsonBody } from './request-body.ts'
import { allowedHosts, hostAllowed, parseTarget } from './request-target.ts'
import { contentSecurityPolicy, originAllowed, requestToken, tokenMatches } from './security.ts'
import { serveStatic } from './static-files.ts'
import { createSocketServer } from './websocket.ts'

export interface StudioServerOptions {
  handlers: Handlers
  events: EventBus
  /** The built renderer (out/renderer); when absent only the API is served. */
  staticDir?: string
  hostname?: string
  port?: number
  token?: string
  /** Where refused and failed requests are reported, one line each (default: stderr). */
  log?: (line: string) => void
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

/**
 * The largest request body or WebSocket message: the largest manual answer the contract accepts,
 * at JSON's worst case of six bytes per character (`\u0000`), plus the envelope around it.
 */
export const MAX_REQUEST_BYTES = maxManualAnswerChars * 6 + (1 << 20)

export async function startStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  const hostname = options.hostname ?? '127.0.0.1'
  const token = options.token ?? randomBytes(24).toString('hex')
  const log = options.log ?? ((line: string) => console.warn(`[server] ${line}`))
  const allowedOrigins = new Set<string>()
  let hosts = new Set<string>()
  let csp = ''

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      log(`${request.method} ${request.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      if (!response.headersSent) sendJson(response, 500, refusal('INTERNAL', 'The request failed inside the studio; see its log.'))
      else response.destroy()
    })
  })
  server.on('connection', (socket) => socket.on('error', (error) => log(`connection: ${error.message}`)))
  // Unparseable requests (bad request line, oversized headers, invalid characters) end here.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code !== 'ECONNRESET') log(`malformed request: ${error.code ?? error.message}`)
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request'
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    setTimeout(() => socket.destroy(), 1000).unref()
  })
  const socketServer = createSocketServer({
    handlers: options.handlers,
    events: options.events,
    token,
    get hosts() {
      return hosts
    },
    origins: allowedOrigins,
    maxPayload: MAX_REQUEST_BYTES,
    log,
  })
  server.on('upgrade', socketServer.upgrade)

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const security = { 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' }
    const refuse = (status: number, code: string, message: string) => {
      log(`refused ${request.method} ${JSON.stringify(request.url)} (${status} ${code})`)
      sendJson(response, status, refusal(code, message))
    }
    if (!hostAllowed(request.headers.host, hosts))
      return refuse(403, 'HOST_REFUSED', 'This studio answers only to its own address (127.0.0.1, localhost or the address it listens on).')
    const target = parseTarget(request.url)
    if (!target) return refuse(400, 'BAD_PATH', 'The request path is not a valid URL path.')
    if (target.path.startsWith('/api/')) {
      if (!originAllowed(request.headers.origin, allowedOrigins)) return refuse(403, 'ORIGIN_REFUSED', 'Requests from this origin are refused.')
      if (!tokenMatches(token, requestToken(request, target.query)))
        return refuse(401, 'TOKEN_REQUIRED', 'Missing or wrong session token: open the URL the studio printed, token included.')
      if (request.method !== 'POST') return refuse(405, 'METHOD_NOT_ALLOWED', 'Use POST with a JSON body.')
      const body = await readJsonBody(request, MAX_REQUEST_BYTES)
      if (body.kind === 'too-large') {
        response.setHeader('Connection', 'close')
        return refuse(413, 'BODY_TOO_LARGE', `Request bodies are at most ${MAX_REQUEST_BYTES} bytes.`)
      }
      if (body.kind === 'invalid') return refuse(400, 'BAD_JSON', 'The request body is not JSON.')
      if (body.kind === 'aborted') return
      const result = await dispatch(options.handlers, target.path.slice('/api/'.length), body.value, { transport: 'browser' })
      return sendJson(response, 200, result)
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'METHOD_NOT_ALLOWED', 'Only GET is served here.')
    // The page itself needs the token in its URL, like Jupyter; its static assets are public build output.
    if ((target.path === '/' || target.path === '/index.html') && !tokenMatches(token, target.query.get('token'))) {
      log(`refused the page without its token (${JSON.stringify(request.url)})`)
      response.writeHead(401, { ...security, 'Content-Type': 'text/plain; charset=utf-8' })
      return void response.end('AKG Studio: open the full URL printed by `npm run serve` (it carries the session token).\n')
    }
    if (options.staticDir && (await serveStatic(options.staticDir, target.path, response, security))) return
    response.writeHead(404, { ...security, 'Content-Type': 'text/plain; charset=utf-8' })
    response.end(options.staticDir ? 'Not found.\n' : 'The renderer is not built: run `npm run build`.\n')
  }

  const port = await listen(server, hostname, options.port ?? 0)
  hosts = allowedHosts(hostname, port)
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
        socketServer.close()
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
