import { join } from 'node:path'
import type { HostBasics } from '../services.ts'
import { SessionManager } from './session-manager.ts'

export { SessionManager } from './session-manager.ts'

/** The host's terminals: output and exits reach every front door as session-data and session-exit events. */
export function createSessionManager(host: Pick<HostBasics, 'paths' | 'processes' | 'events'>): SessionManager {
  return new SessionManager(host.processes, join(host.paths.dataDir, 'sessions'), {
    data: (id, data) => host.events.emit('session-data', { id, data }),
    exit: (exit) => host.events.emit('session-exit', exit),
  })
}
