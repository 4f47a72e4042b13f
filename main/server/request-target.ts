import { networkInterfaces } from 'node:os'
import { posix } from 'node:path'

/** A request target the server can act on: its path decoded and resolved, and its query. */
export interface RequestTarget {
  /** Percent-decoded and normalised (`/a/../b` is `/b`, `/..%2f` is `/`): what the path names. */
  path: string
  query: URLSearchParams
}

/**
 * Parses a request's target; null for anything that is not a path we could serve (a malformed
 * URL or escape, a NUL byte). Every check (token gate, routing, static files) then looks at the
 * same resolved path, so no spelling of a path reaches a file its plain spelling would gate.
 */
export function parseTarget(raw: string | undefined): RequestTarget | null {
  if (!raw || !raw.startsWith('/')) return null
  let url: URL
  let decoded: string
  try {
    url = new URL(raw, 'http://studio.invalid')
    decoded = decodeURIComponent(url.pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  return { path: posix.normalize(decoded), query: url.searchParams }
}

/**
 * The Host values the server answers to: loopback names and the bound address, with its port. A
 * page on another site that rebinds its DNS name to 127.0.0.1 sends its own name and is refused.
 */
export function allowedHosts(hostname: string, port: number): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', hostname.includes(':') ? `[${hostname}]` : hostname])
  if (hostname === '0.0.0.0' || hostname === '::') {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(address.family === 'IPv6' ? `[${address.address}]` : address.address)
    }
  }
  return new Set([...names].map((name) => `${name.toLowerCase()}:${port}`))
}

export function hostAllowed(host: string | undefined, allowed: Set<string>): boolean {
  return host !== undefined && allowed.has(host.toLowerCase())
}
