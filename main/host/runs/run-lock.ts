import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { link, open, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { AppError, type RunOwner } from '../../../agents/contract/index.ts'
import { runFolder } from '../../../agents/contract/registry.ts'

/** The lock file in a run's folder: whoever holds it is the run's only writer. */
export const LOCK_FILE = runFolder.lock

interface LockRecord extends RunOwner {
  /** The process's start time in clock ticks since boot (Linux), so a reused pid is not taken for the owner. */
  startTicks: string | null
}

/** Field 22 of /proc/<pid>/stat; null where there is no /proc (macOS) or the process is gone. */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Whether the lock's owner is still running; a lock from another machine (a shared folder) is taken as live. */
function ownerAlive(record: LockRecord): boolean {
  if (record.hostname !== hostname()) return true
  if (!processAlive(record.pid)) return false
  const ticks = processStartTicks(record.pid)
  return record.startTicks === null || ticks === null || ticks === record.startTicks
}

async function readRecord(path: string): Promise<{ record: LockRecord | null; text: string } | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  try {
    const value = JSON.parse(text) as LockRecord
    return { record: typeof value.pid === 'number' && typeof value.hostname === 'string' ? value : null, text }
  } catch {
    // Locks are linked into place whole, so this one was damaged after the fact: nobody holds it.
    return { record: null, text }
  }
}

/** Who holds the run's lock now; null when nobody does or the holder is gone (a stale lock). */
export async function liveOwner(folder: string): Promise<RunOwner | null> {
  const found = await readRecord(join(folder, LOCK_FILE))
  if (!found?.record || !ownerAlive(found.record)) return null
  const { startTicks: _ticks, ...owner } = found.record
  return owner
}

export interface RunLock {
  /** The lock file moved with its folder (a run folder renamed into place). */
  movedTo(folder: string): void
  release(): Promise<void>
}

const describe = (owner: RunOwner) => `process ${owner.pid} (${owner.program}) on ${owner.hostname} since ${owner.since}`

/**
 * Takes the run's lock: created exclusively, holding this process's pid and start time. A stale
 * lock (its process gone, or its pid reused) is moved aside first; a live one is refused with who
 * holds it. Resume, the studio and the CLI all take it before they write to a run's log.
 */
export async function acquireRunLock(folder: string, runId: string, program: string): Promise<RunLock> {
  const path = join(folder, LOCK_FILE)
  const record: LockRecord = { pid: process.pid, hostname: hostname(), since: new Date().toISOString(), program, startTicks: processStartTicks(process.pid) }
  for (let attempt = 0; attempt < 5; attempt += 1) {
    // Written whole under a private name, then linked into place: link fails if the lock exists,
    // and nobody ever reads a lock file that is still being written.
    const draft = `${path}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`
    try {
      const handle = await open(draft, 'wx')
      try {
        await handle.writeFile(`${JSON.stringify(record)}\n`)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await link(draft, path).catch(async (error: NodeJS.ErrnoException) => {
        // File systems without hard links: exclusive create, at the cost of a moment half-written.
        if (error.code !== 'EPERM' && error.code !== 'ENOTSUP' && error.code !== 'ENOSYS') throw error
        await writeFile(path, `${JSON.stringify(record)}\n`, { flag: 'wx' })
      })
      let held = path
      return {
        movedTo: (moved) => void (held = join(moved, LOCK_FILE)),
        release: () => releaseLock(held, record),
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    } finally {
      await unlink(draft).catch(() => undefined)
    }
    const found = await readRecord(path)
    if (!found) continue
    if (found.record && ownerAlive(found.record)) {
      const { startTicks: _ticks, ...owner } = found.record
      throw new AppError(
        'RUN_ACTIVE',
        `Run ${runId} is running elsewhere: ${describe(owner)}. Wait for it to end or stop it there; only one process may write a run's log.`,
        { owner },
      )
    }
    await moveAsideStale(path, found.text)
  }
  throw new AppError('RUN_ACTIVE', `Run ${runId}'s lock kept changing hands; another process is taking it up. Try again.`)
}

/**
 * Renames the stale lock away, then checks it was the one judged stale: if another process had
 * replaced it meanwhile, its fresh lock is put back (link fails if a third one took the place).
 */
async function moveAsideStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomUUID().slice(0, 8)}`
  try {
    await rename(path, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  const moved = await readFile(aside, 'utf8').catch(() => staleText)
  if (moved !== staleText) await link(aside, path).catch(() => undefined)
  await unlink(aside).catch(() => undefined)
}

async function releaseLock(path: string, record: LockRecord): Promise<void> {
  const found = await readRecord(path).catch(() => null)
  // Only our own lock is removed: a lock judged stale and taken over is someone else's now.
  if (found?.record?.pid === record.pid && found.record.since === record.since && found.record.hostname === record.hostname)
    await unlink(path).catch(() => undefined)
}
