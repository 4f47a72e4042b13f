import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the next model call gets; calls take behaviours in order, then `ok` forever. */
export type Behaviour =
  | { kind: 'ok'; chunks?: string[]; finish?: 'stop' | 'length' }
  /** An HTTP error in the protocol's own error shape. */
  | { kind: 'status'; status: number; message?: string; retryAfterSeconds?: number }
  /** Sends the first chunk, then nothing until the client leaves: idle timeouts and cancellation. */
  | { kind: 'stall' }
  /** Sends the first chunk, then drops the connection without ending the stream. */
  | { kind: 'truncate' }
  /** A 200 whose body is bytes that are not the protocol. */
  | { kind: 'garbage' }
  /** A chunk every `everyMs` (default 100) forever, until the client leaves: deadlines and the answer cap. */
  | { kind: 'trickle'; everyMs?: number; text?: string }

export interface Usage {
  input: number
  output: number
}

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: unknown
}

/** How one protocol frames a streamed answer and an error. */
export interface Protocol {
  chatPath: string
  contentType: string
  /** Frames before the first text (Anthropic's message_start); none for Ollama and OpenAI. */
  open(model: string, usage: Usage): string[]
  /** One frame carrying one piece of text. */
  chunk(model: string, text: string): string
  /** Frames that end the answer, with usage and the finish reason. */
  close(model: string, usage: Usage, finish: 'stop' | 'length'): string[]
  errorBody(status: number, message: string): { contentType: string; body: string }
  /** Other routes (model lists, pulls); return true when handled. */
  other?(request: RecordedRequest, response: ServerResponse, server: LlmServer): boolean
  /** Whether the request carries the key the server was started with. */
  authorized(headers: IncomingMessage['headers'], key: string): boolean
}

export interface LlmServer {
  url: string
  port: number
  requests: RecordedRequest[]
  /** Chat calls whose connection the client closed before the answer ended. */
  closedByClient: number
  /** Resolves when a client closes a chat connection before its answer ended. */
  nextClientClose(): Promise<void>
  script(...behaviours: Behaviour[]): void
  close(): Promise<void>
}

export const DEFAULT_CHUNKS = ['def ', 'kernel', '(x):\n', '    return x\n']

/** A small HTTP server on 127.0.0.1 that answers like a real model server, as scripted. */
export async function startLlmServer(protocol: Protocol, options: { apiKey?: string } = {}): Promise<LlmServer> {
  const queue: Behaviour[] = []
  let waiters: Array<() => void> = []
  const sockets = new Set<import('node:net').Socket>()
  const state: LlmServer = {
    url: '',
    port: 0,
    requests: [],
    closedByClient: 0,
    nextClientClose: () => new Promise((resolve) => waiters.push(resolve)),
    script: (...behaviours) => queue.push(...behaviours),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
  const server: Server = createServer(async (incoming, response) => {
    const text = await readBody(incoming)
    const request: RecordedRequest = {
      method: incoming.method ?? 'GET',
      path: (incoming.url ?? '/').split('?')[0] ?? '/',
      headers: incoming.headers,
      body: parseJson(text),
    }
    state.requests.push(request)
    if (options.apiKey && !protocol.authorized(incoming.headers, options.apiKey)) return sendError(response, protocol, 401, 'invalid api key')
    if (protocol.other?.(request, response, state)) return
    if (request.path !== protocol.chatPath || request.method !== 'POST') return sendError(response, protocol, 404, `no route ${request.path}`)
    const behaviour = queue.shift() ?? { kind: 'ok' }
    const body = (request.body ?? {}) as { model?: string; messages?: Array<{ content?: string }> }
    const model = body.model ?? 'unknown'
    const input = (body.messages ?? []).reduce((sum, message) => sum + (message.content?.length ?? 0), 0)
    response.on('close', () => {
      if (!response.writableFinished) {
        state.closedByClient += 1
        const current = waiters
        waiters = []
        for (const resolve of current) resolve()
      }
    })
    if (behaviour.kind === 'status') {
      const headers: Record<string, string> = behaviour.retryAfterSeconds === undefined ? {} : { 'retry-after': String(behaviour.retryAfterSeconds) }
      return sendError(response, protocol, behaviour.status, behaviour.message ?? `scripted ${behaviour.status}`, headers)
    }
    response.writeHead(200, { 'content-type': protocol.contentType, 'cache-control': 'no-cache' })
    if (behaviour.kind === 'garbage') {
      response.end('\u0000\u00ff<html>502 bad gateway from a proxy</html>\n{"half": \n\n')
      return
    }
    const chunks = behaviour.kind === 'ok' ? (behaviour.chunks ?? DEFAULT_CHUNKS) : DEFAULT_CHUNKS
    const usage = { input, output: chunks.length }
    for (const frame of protocol.open(model, usage)) response.write(frame)
    if (behaviour.kind === 'ok') {
      for (const text of chunks) response.write(protocol.chunk(model, text))
      for (const frame of protocol.close(model, usage, behaviour.finish ?? 'stop')) response.write(frame)
      response.end()
      return
    }
    if (behaviour.kind === 'trickle') {
      const timer = setInterval(() => response.write(protocol.chunk(model, behaviour.text ?? 'x')), behaviour.everyMs ?? 100)
      response.on('close', () => clearInterval(timer))
      return
    }
    // stall and truncate: the first chunk only, flushed so the client has started reading.
    response.write(protocol.chunk(model, chunks[0] ?? ''))
    if (behaviour.kind === 'truncate') setTimeout(() => response.socket?.destroy(), 20)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.port = (server.address() as AddressInfo).port
  state.url = `http://127.0.0.1:${state.port}`
  return state
}

export function sendError(response: ServerResponse, protocol: Protocol, status: number, message: string, headers: Record<string, string> = {}): void {
  const { contentType, body } = protocol.errorBody(status, message)
  response.writeHead(status, { 'content-type': contentType, ...headers })
  response.end(body)
}

export function sendJson(response: ServerResponse, value: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' })
  response.end(JSON.stringify(value))
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = []
  for await (const part of request) parts.push(part as Buffer)
  return Buffer.concat(parts).toString('utf8')
}

function parseJson(text: string): unknown {
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** A URL on 127.0.0.1 where nothing listens: a port we opened and closed again. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
