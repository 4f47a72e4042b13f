import { mkdir, open, readFile, readdir, rename, truncate, writeFile, type FileHandle } from 'node:fs/promises'
import { dirname, join, normalize, sep } from 'node:path'
import type { RunEvent, RunSpec } from '../../../agents/contract/index.ts'
import type { RunStore } from '../../../agents/run/store.ts'

/** Where runs live: <data>/runs/<runId>/{spec.json, events.jsonl, candidates/...}. */
export const runsRoot = (dataDir: string): string => join(dataDir, 'runs')

/** Artifact paths come from the run engine; refusing `..` keeps every write inside the run's folder. */
function safeJoin(root: string, relativePath: string): string {
  const path = normalize(join(root, relativePath))
  if (!path.startsWith(root + sep)) throw new Error(`artifact path escapes the run folder: ${relativePath}`)
  return path
}

/**
 * A run's folder on disk. Events are appended to events.jsonl through one handle and fsynced at
 * flush (each step end); artifacts are written whole through a rename so a crash never leaves half a file.
 */
export class FileRunStore implements RunStore {
  private handle: FileHandle | null = null

  constructor(readonly folder: string) {}

  async append(event: RunEvent): Promise<void> {
    this.handle ??= await open(join(this.folder, 'events.jsonl'), 'a')
    await this.handle.appendFile(`${JSON.stringify(event)}\n`)
  }

  async flush(): Promise<void> {
    await this.handle?.sync()
  }

  async close(): Promise<void> {
    const handle = this.handle
    this.handle = null
    await handle?.sync().catch(() => undefined)
    await handle?.close()
  }

  async writeArtifact(relativePath: string, content: string): Promise<void> {
    const path = safeJoin(this.folder, relativePath)
    await mkdir(dirname(path), { recursive: true })
    const temporary = `${path}.${process.pid}.tmp`
    await writeFile(temporary, content)
    await rename(temporary, path)
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

export async function writeSpec(folder: string, spec: RunSpec): Promise<void> {
  await mkdir(folder, { recursive: true })
  await writeFile(join(folder, 'spec.json'), `${JSON.stringify(spec, null, 2)}\n`)
}

export async function readSpec(folder: string): Promise<RunSpec> {
  return JSON.parse(await readFile(join(folder, 'spec.json'), 'utf8')) as RunSpec
}

/**
 * The events of a run's log. A last line cut off by a crash is dropped, and with `repair` the
 * file is truncated to the last whole line so appends continue cleanly.
 */
export async function readEvents(folder: string, options: { repair?: boolean } = {}): Promise<RunEvent[]> {
  const path = join(folder, 'events.jsonl')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return []
  }
  const events: RunEvent[] = []
  let validBytes = 0
  let offset = 0
  for (const line of text.split('\n')) {
    const lineBytes = Buffer.byteLength(line) + 1
    if (line.trim().length > 0) {
      try {
        events.push(JSON.parse(line) as RunEvent)
      } catch {
        break
      }
    }
    offset += lineBytes
    if (offset <= Buffer.byteLength(text)) validBytes = offset
  }
  if (options.repair && validBytes < Buffer.byteLength(text)) await truncate(path, validBytes)
  return events
}

export async function listRunFolders(dataDir: string): Promise<string[]> {
  try {
    const entries = await readdir(runsRoot(dataDir), { withFileTypes: true })
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name)
  } catch {
    return []
  }
}
