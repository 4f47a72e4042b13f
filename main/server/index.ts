import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { findAppRoot } from '../host/app-root.ts'
import { createHandlers } from '../host/handlers/index.ts'
import { Host } from '../host/host.ts'
import { startStudioServer } from './server.ts'

/** Browser mode: the same handlers as the Electron window, over HTTP and WebSocket on loopback. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: process.env.AKG_HOST ?? '127.0.0.1' },
      port: { type: 'string', default: process.env.AKG_PORT ?? '0' },
      token: { type: 'string', default: process.env.AKG_TOKEN },
    },
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a number from 0 to 65535 (0 picks a free port); got ${values.port}`)
    process.exit(2)
  }
  const appRoot = findAppRoot(import.meta.dirname)
  const host = new Host({ appRoot, program: 'browser' })
  const staticDir = join(appRoot, 'out', 'renderer')
  const server = await startStudioServer({
    handlers: createHandlers(host),
    events: host.events,
    staticDir: existsSync(join(staticDir, 'index.html')) ? staticDir : undefined,
    hostname: values.host,
    port,
    token: values.token,
  })
  if (values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
    console.warn(`warning: listening on ${values.host}, reachable from other machines; the token is the only guard.`)
  }
  console.log(`AKG Studio (browser mode) is ready: ${server.openUrl}`)
  let closing = false
  const stop = async () => {
    if (closing) return
    closing = true
    await server.close()
    await host.shutdown()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}

main().catch((error: unknown) => {
  console.error(`AKG Studio could not start browser mode: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
