import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHandlers } from '../../main/host/handlers/index.ts'
import { Host } from '../../main/host/host.ts'

export const repoRoot = join(import.meta.dirname, '..', '..')

/** A host on the real repository with its data folder in a fresh temporary directory. */
export function temporaryHost() {
  const dataDir = mkdtempSync(join(tmpdir(), 'akg-test-'))
  const host = new Host({ appRoot: repoRoot, dataDir })
  return {
    host,
    handlers: createHandlers(host),
    dataDir,
    async dispose() {
      await host.shutdown()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
