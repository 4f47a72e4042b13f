import type { IncomingMessage } from 'node:http'

export type BodyResult = { kind: 'json'; value: unknown } | { kind: 'invalid' } | { kind: 'too-large' } | { kind: 'aborted' }

/** How long a client may go on sending a refused body before its connection is closed. */
const REFUSED_BODY_GRACE_MS = 2000

/**
 * Reads a JSON body of at most `limit` bytes. A body over the limit (declared or streamed) is
 * refused without being kept: the rest is discarded for a moment so the client reads the 413
 * instead of a reset, then the connection closes.
 */
export function readJsonBody(request: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolveBody) => {
    const refuse = () => {
      request.removeAllListeners('data')
      request.resume()
      setTimeout(() => request.socket.destroy(), REFUSED_BODY_GRACE_MS).unref()
      resolveBody({ kind: 'too-large' })
    }
    const declared = Number(request.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) return refuse()
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) refuse()
      else chunks.push(chunk)
    })
    request.on('end', () => {
      if (size > limit) return
      const text = Buffer.concat(chunks).toString('utf8')
      if (text.trim() === '') return resolveBody({ kind: 'json', value: {} })
      try {
        resolveBody({ kind: 'json', value: JSON.parse(text) })
      } catch {
        resolveBody({ kind: 'invalid' })
      }
    })
    request.on('error', () => resolveBody({ kind: 'aborted' }))
    request.on('aborted', () => resolveBody({ kind: 'aborted' }))
  })
}
