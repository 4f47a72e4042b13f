import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunEvent } from '../../agents/contract/index.ts'
import { createHandlers } from '../../main/host/handlers/index.ts'
import { Host } from '../../main/host/host.ts'
import { startStudioServer } from '../../main/server/server.ts'
import { repoRoot } from '../helpers/temp-host.ts'

export interface ReplayStudio {
  openUrl: string
  dataDir: string
  /** Sends events to every connected client through the backend's event bus, as a live run does. */
  emit(events: RunEvent[]): void
  close(): Promise<void>
}

/**
 * The real browser-mode backend (Host, handlers, HTTP and WebSocket server, built renderer) in this
 * process, so a test or the UI benchmark can stream a recorded run's events through `run-event`
 * exactly as the run engine does. It replays scripted events; it runs no model and no kernel.
 */
export async function startReplayStudio(): Promise<ReplayStudio> {
  const dataDir = mkdtempSync(join(tmpdir(), 'akg-ui-'))
  const host = new Host({ appRoot: repoRoot, dataDir })
  const server = await startStudioServer({ handlers: createHandlers(host), events: host.events, staticDir: join(repoRoot, 'out', 'renderer') })
  return {
    openUrl: server.openUrl,
    dataDir,
    emit(events) {
      for (const event of events) host.events.emit('run-event', event)
    },
    async close() {
      await server.close()
      await host.shutdown()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
