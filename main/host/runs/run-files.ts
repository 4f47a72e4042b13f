import { mkdir, open, readFile, readdir, rename, rm, unlink, writeFile, type FileHandle } from 'node:fs/promises'
import { dirname, join, normalize, sep } from 'node:path'
import type { RunEvent, RunSpec } from '../../../agents/contract/index.ts'
import type { RunStore } from '../../../agents/run/store.ts'
import { acquireRunLock, type RunLock } from './run-lock.ts'
import { LOG_FILE } from './run-log.ts'
import { runFolder } from '../../../agents/contract/registry.ts'

/** Where runs live: <data>/runs/<runId>/{spec.json, events.jsonl, run.lock, candidates/...}. */
export const runsRoot = (dataDir: string): string => join(dataDir, runFolder.root)

/** Artifact paths come from the run engine; refusing `..` keeps every write inside the run's folder. */
function safeJoin(root: string, relativePath: string): string {
  const path = normalize(join(root, relativePath))
  if (!path.startsWith(root + sep)) throw new Error(`artifact path escapes the run folder: ${relativePath}`)
  return path
}

/** Writes a whole file through a temporary name and a rename; the temporary file never outlives a failure. */
async function writeWhole(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  try {
    await writeFile(temporary, content)
    await rename(temporary, path)
  } catch (error) {
    await unlink(temporary).catch(() => undefined)
    throw error
  }
}

/**
 * A run's folder on disk. Events are appended to events.jsonl through one handle and fsynced at
 * flush (each step end); artifacts are written whole through a rename so a crash never leaves half a file.
 */
export class FileRunStore implements RunStore {
  private handle: FileHandle | null = null

  constructor(readonly folder: string) {}

  async append(event: RunEvent): Promise<void> {
    this.handle ??= await open(join(this.folder, LOG_FILE), 'a')
    await this.handle.appendFile(`${JSON.stringify(event)}\n`)
  }

  async flush(): Promise<void> {
    await this.handle?.sync()
  }

  async close(): Promise<void> {
    const handle = this.handle
    this.handle = null
    await handle?.sync().catch(() => undefined)
    await handle?.close().catch(() => undefined)
  }

  async writeArtifact(relativePath: string, content: string): Promise<void> {
    const path = safeJoin(this.folder, relativePath)
    await mkdir(dirname(path), { recursive: true })
    await writeWhole(path, content)
  }

  async readArtifact(relativePath: string): Promise<string | null> {
    try {
      return await readFile(safeJoin(this.folder, relativePath), 'utf8')
    } catch {
      return null
    }
  }

  absolutePath(relativePath: string): string {
    return safeJoin(this.folder, relativePath)
  }
}

/**
 * Creates a run's folder with its spec, its first event and its lock, all at once: they are
 * written into a hidden folder that is renamed into place, so no run folder ever exists without
 * a readable spec and a run-start. The lock comes along and is held by the caller.
 */
export async function createRunFolder(root: string, runId: string, spec: RunSpec, firstEvent: RunEvent, program: string): Promise<RunLock> {
  const staging = join(root, `.${runId}.creating`)
  const folder = join(root, runId)
  await mkdir(root, { recursive: true })
  try {
    await mkdir(staging)
    await writeFile(join(staging, runFolder.spec), `${JSON.stringify(spec, null, 2)}\n`)
    const handle = await open(join(staging, LOG_FILE), 'w')
    try {
      await handle.writeFile(`${JSON.stringify(firstEvent)}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
    const lock = await acquireRunLock(staging, runId, program)
    await rename(staging, folder)
    lock.movedTo(folder)
    return lock
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined)
    throw error
  }
}

/** Why a spec.json value cannot be a run's spec, or null when it can. */
function specProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a JSON object'
  const spec = value as Record<string, unknown>
  for (const field of ['title', 'taskPath', 'dsl', 'device', 'workflow']) if (typeof spec[field] !== 'string') return `its ${field} is missing`
  if (typeof spec.budget !== 'object' || spec.budget === null) return 'its budget is missing'
  return null
}

/** The run's spec.json; throws a sentence saying why it cannot be used. */
export async function readSpec(folder: string): Promise<RunSpec> {
  const path = join(folder, runFolder.spec)
  let value: unknown
  try {
    value = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new Error(code === 'ENOENT' ? `${path} is missing` : `${path} cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`, {
      cause: error,
    })
  }
  const problem = specProblem(value)
  if (problem) throw new Error(`${path} is not a run spec: ${problem}`)
  return value as RunSpec
}

/** Run folders by name; hidden ones (a run being created) are not runs yet. */
export async function listRunFolders(dataDir: string): Promise<string[]> {
  try {
    const entries = await readdir(runsRoot(dataDir), { withFileTypes: true })
    return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name)
  } catch {
    return []
  }
}
