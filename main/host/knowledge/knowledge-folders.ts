import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import { loadKnowledge, type KnowledgeFile, type KnowledgeLibrary, type KnowledgeSource } from '../../../agents/knowledge/index.ts'

/** A knowledge document larger than this is not a skill document; refuse it rather than put it in every prompt. */
const DOCUMENT_SIZE_LIMIT = 256 * 1024
/** Folders deeper than this are not walked; the shipped tree is two levels deep. */
const DEPTH_LIMIT = 6

/** Where the shipped documents live under resources/, and the user's own under the data folder. */
export function knowledgeFolders(paths: { resources: string; dataDir: string }): { shipped: string; user: string } {
  return { shipped: join(paths.resources, 'knowledge'), user: join(paths.dataDir, 'knowledge') }
}

/**
 * Reads Markdown documents from the shipped folder and, when it exists, the user's folder.
 * Files are named by their path relative to their folder, prefixed with "user/" for the user's,
 * so an error message says exactly which file to open.
 */
export class FolderKnowledgeSource implements KnowledgeSource {
  private readonly shipped: string
  private readonly user: string | null

  constructor(folders: { shipped: string; user?: string | null }) {
    this.shipped = resolve(folders.shipped)
    this.user = folders.user ? resolve(folders.user) : null
  }

  async list(): Promise<KnowledgeFile[]> {
    const shipped = (await walkMarkdown(this.shipped)).map((path) => ({ file: relative(this.shipped, path).split(sep).join('/'), origin: 'shipped' as const }))
    const user = this.user
      ? (await walkMarkdown(this.user)).map((path) => ({ file: `user/${relative(this.user!, path).split(sep).join('/')}`, origin: 'user' as const }))
      : []
    return [...shipped, ...user]
  }

  async read(entry: KnowledgeFile): Promise<string> {
    const path = this.pathOf(entry)
    const info = await stat(path)
    if (info.size > DOCUMENT_SIZE_LIMIT) {
      throw new Error(`the file is ${info.size} bytes; knowledge documents over ${DOCUMENT_SIZE_LIMIT} bytes are refused. Split it into focused documents.`)
    }
    return readFile(path, 'utf8')
  }

  /** The absolute path of a listed file; refuses names that would leave their folder. */
  pathOf(entry: KnowledgeFile): string {
    const root = entry.origin === 'user' ? this.user : this.shipped
    const name = entry.origin === 'user' ? entry.file.replace(/^user\//, '') : entry.file
    if (!root) throw new Error(`${entry.file}: there is no user knowledge folder.`)
    const path = resolve(root, name)
    if (path !== root && !path.startsWith(root + sep)) throw new Error(`${entry.file}: not inside the knowledge folder.`)
    return path
  }
}

/** Loads the library once and keeps it until reload(); documents change only when files are edited. */
export class KnowledgeService {
  private library: Promise<KnowledgeLibrary> | null = null

  constructor(readonly source: FolderKnowledgeSource) {}

  load(): Promise<KnowledgeLibrary> {
    if (!this.library) {
      const pending = loadKnowledge(this.source)
      this.library = pending
      pending.catch(() => {
        if (this.library === pending) this.library = null
      })
    }
    return this.library
  }

  reload(): Promise<KnowledgeLibrary> {
    this.library = null
    return this.load()
  }
}

async function walkMarkdown(folder: string, depth = 0): Promise<string[]> {
  if (depth > DEPTH_LIMIT) return []
  let entries
  try {
    entries = await readdir(folder, { withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const files: string[] = []
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue
    const path = join(folder, entry.name)
    if (entry.isDirectory()) files.push(...(await walkMarkdown(path, depth + 1)))
    else if (entry.isFile() && entry.name.endsWith('.md') && entry.name.toLowerCase() !== 'readme.md') files.push(path)
  }
  return files
}
