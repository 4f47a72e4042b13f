import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** Content Security Policy for the renderer: nothing is loaded from outside the studio. */
export function contentSecurityPolicy(connectOrigins: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // CodeMirror and ECharts set inline styles; scripts stay strict.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${connectOrigins.join(' ')}`.trim(),
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The token from `?token=`, `Authorization: Bearer`, or the `X-AKG-Token` header. */
export function requestToken(request: IncomingMessage, query: URLSearchParams): string | null {
  const fromQuery = query.get('token')
  if (fromQuery) return fromQuery
  const authorization = request.headers.authorization
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length)
  const header = request.headers['x-akg-token']
  return typeof header === 'string' ? header : null
}

/**
 * Browsers always send Origin on WebSocket and cross-site fetches; a page from another origin
 * must not drive the studio even if it learned the token. Clients that send no Origin (the CLI,
 * scripts) are not browsers and still need the token.
 */
export function originAllowed(origin: string | undefined, allowed: Set<string>): boolean {
  return origin === undefined || allowed.has(origin)
}
