import type { Protocol } from 'electron'
import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { ELECTRON_CSP } from './window-options.ts'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
}

/** Serves the built renderer on app://studio/ with the CSP on every response; nothing outside the folder. */
export function serveRenderer(protocol: Protocol, scheme: string, rendererDir: string): void {
  protocol.handle(scheme, async (request) => {
    const { pathname } = new URL(request.url)
    const relativePath = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '') || 'index.html'
    const path = join(rendererDir, relativePath)
    if (!path.startsWith(rendererDir + sep)) return new Response('Not found', { status: 404 })
    try {
      const body = await readFile(path)
      return new Response(body, {
        headers: { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream', 'Content-Security-Policy': ELECTRON_CSP },
      })
    } catch {
      return new Response('Not found', { status: 404 })
    }
  })
}
