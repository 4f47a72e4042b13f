import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import type { ProcessManager } from '../process/process-manager.ts'

export interface HarnessArchive {
  /** Content hash of the package: the remote cache key, so an unchanged harness is sent once per host. */
  hash: string
  /** tar.gz of akg_harness/, base64. */
  base64: string
}

function packageFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && !entry.parentPath.includes('__pycache__') && !entry.name.endsWith('.pyc'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}

/** Packs the harness package for a remote host; the hash covers every file's path and bytes. */
export async function packHarness(processes: ProcessManager, harnessDir: string): Promise<HarnessArchive> {
  const hash = createHash('sha256')
  for (const file of packageFiles(join(harnessDir, 'akg_harness'))) {
    hash.update(relative(harnessDir, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  const folder = mkdtempSync(join(tmpdir(), 'akg-harness-pack-'))
  try {
    const archive = join(folder, 'harness.tar.gz')
    const result = await processes.run({
      label: 'pack harness',
      file: 'tar',
      args: ['-czf', archive, '--exclude=__pycache__', '--exclude=*.pyc', '-C', harnessDir, 'akg_harness'],
      timeoutMs: 60_000,
    })
    if (result.code !== 0) throw new Error(`Could not pack the harness for a remote host: ${result.spawnError ?? result.stderr.trim()}`)
    return { hash: hash.digest('hex').slice(0, 24), base64: readFileSync(archive).toString('base64') }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}
