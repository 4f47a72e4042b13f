import { readFile, stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
}

/**
 * Serves a file from the built renderer; `resolvedPath` is already decoded and normalised
 * (request-target.ts), and paths that still climb out of the folder are answered 404.
 */
export async function serveStatic(root: string, resolvedPath: string, response: ServerResponse, headers: Record<string, string>): Promise<boolean> {
  const relativePath = normalize(resolvedPath).replace(/^([/\\])+/, '')
  const path = join(root, relativePath || 'index.html')
  if (path !== root && !path.startsWith(root + sep)) return false
  try {
    const info = await stat(path)
    if (!info.isFile()) return false
    const body = await readFile(path)
    response.writeHead(200, {
      ...headers,
      'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      // Hashed asset names change with content; index.html must always be fresh.
      'Cache-Control': relativePath.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    })
    response.end(body)
    return true
  } catch {
    return false
  }
}
