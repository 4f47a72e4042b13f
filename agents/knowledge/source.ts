import { KnowledgeDocumentError } from './front-matter.ts'
import type { KnowledgeDocument, KnowledgeOrigin } from './metadata.ts'
import { parseKnowledgeDocument } from './parse.ts'

/** A document file as a source lists it. */
export interface KnowledgeFile {
  /** How the source finds it again, and how errors name it (a path relative to its folder). */
  file: string
  origin: KnowledgeOrigin
}

/**
 * The port through which the core reads skill documents. The host implements it over
 * resources/knowledge and the user's own folder; tests implement it over a map of strings.
 */
export interface KnowledgeSource {
  list(): Promise<KnowledgeFile[]>
  read(file: KnowledgeFile): Promise<string>
}

/** A document that could not be used, and why; the rest of the library still loads. */
export interface KnowledgeProblem {
  file: string
  origin: KnowledgeOrigin
  message: string
}

export interface KnowledgeLibrary {
  documents: KnowledgeDocument[]
  problems: KnowledgeProblem[]
}

/**
 * Reads and validates every document a source lists. A malformed document becomes a problem
 * (file, field, what to write) instead of stopping the others. A user document whose id is that
 * of a shipped one replaces it, so a user can correct or extend shipped guidance; two documents
 * with one id from the same origin is a problem, and the first one read is kept.
 */
export async function loadKnowledge(source: KnowledgeSource): Promise<KnowledgeLibrary> {
  const files = (await source.list()).sort((a, b) => originRank(a.origin) - originRank(b.origin) || a.file.localeCompare(b.file))
  const byId = new Map<string, KnowledgeDocument>()
  const problems: KnowledgeProblem[] = []

  for (const entry of files) {
    let document: KnowledgeDocument
    try {
      document = parseKnowledgeDocument(await source.read(entry), entry.file, entry.origin)
    } catch (error) {
      const message = error instanceof KnowledgeDocumentError ? error.message : `${entry.file}: ${(error as Error).message}`
      problems.push({ file: entry.file, origin: entry.origin, message })
      continue
    }
    const existing = byId.get(document.id)
    if (existing && existing.origin === document.origin) {
      problems.push({
        file: entry.file,
        origin: entry.origin,
        message: `${entry.file} (field "id"): "${document.id}" is already used by ${existing.file}; give each document its own id.`,
      })
      continue
    }
    byId.set(document.id, document)
  }
  return { documents: [...byId.values()].sort((a, b) => a.id.localeCompare(b.id)), problems }
}

function originRank(origin: KnowledgeOrigin): number {
  return origin === 'shipped' ? 0 : 1
}
