import { readdir, realpath, stat } from 'node:fs/promises'
import { basename, dirname, join, sep } from 'node:path'
import { AppError, type FileEntry, type FolderListing } from '../../../agents/contract/index.ts'
import type { Host } from '../host.ts'

/** A folder with more entries than this is cut; the browser is for picking a file, not for auditing a disk. */
const ENTRY_LIMIT = 2000

/**
 * The folders the file browser may show: the data folder, the shipped samples (tasks, cassettes)
 * and the task folders and files the user opened. Each is resolved through symlinks once, so a
 * path is inside a root only if its real location is.
 */
export async function browserRoots(host: Host): Promise<Array<{ label: string; path: string }>> {
  const settings = await host.settings.read()
  const roots = [
    { label: 'Data folder', path: host.paths.dataDir },
    { label: 'Sample tasks', path: host.paths.sampleTasks },
    { label: 'Sample cassettes', path: join(host.paths.resources, 'cassettes') },
    ...settings.openedFolders.map((path) => ({ label: basename(path), path })),
    ...settings.openedTasks.map((path) => ({ label: `folder of ${basename(path)}`, path: dirname(path) })),
  ]
  const resolved: Array<{ label: string; path: string }> = []
  for (const root of roots) {
    const real = await realpath(root.path).catch(() => null)
    if (real && !resolved.some((entry) => entry.path === real)) resolved.push({ label: root.label, path: real })
  }
  return resolved
}

const inside = (path: string, root: string) => path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)

/** The real path of a file or folder inside the roots, or FILES_OUTSIDE_ROOTS. */
export async function insideRoots(host: Host, path: string): Promise<string> {
  const roots = await browserRoots(host)
  const real = path.startsWith('/') ? await realpath(path).catch(() => null) : null
  if (!real) throw new AppError('NOT_FOUND', `There is no file at ${path}.`)
  if (!roots.some((root) => inside(real, root.path))) throw new AppError('FILES_OUTSIDE_ROOTS', `${path} is outside the folders the studio may open.`)
  return real
}

/** Lists a folder inside the roots; `..`, symlinks and absolute paths are judged by where they really lead. */
export async function listFolder(host: Host, input: { path?: string; extensions?: string[] }): Promise<FolderListing> {
  const roots = await browserRoots(host)
  const requested = input.path ?? roots[0]?.path
  if (!requested) throw new AppError('FILES_NO_ROOTS', 'There is no folder to browse yet: open a task folder in Tasks first.')
  if (!requested.startsWith('/')) throw new AppError('FILES_NOT_ABSOLUTE', `Give a full path, not ${requested}.`)
  const real = await realpath(requested).catch(() => null)
  if (!real) throw new AppError('NOT_FOUND', `There is no folder at ${requested}.`)
  const root = roots.find((entry) => inside(real, entry.path))
  if (!root) {
    throw new AppError(
      'FILES_OUTSIDE_ROOTS',
      `${requested} is outside the folders the studio may show (the data folder, the samples and the task folders you opened): open its folder in Tasks first.`,
    )
  }
  const info = await stat(real)
  const folder = info.isDirectory() ? real : dirname(real)
  const names = (await readdir(folder, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.'))
  const entries: FileEntry[] = []
  for (const entry of names.slice(0, ENTRY_LIMIT)) {
    const path = join(folder, entry.name)
    // A symlink is shown by what it points to, and only when that is inside a root too.
    const target = entry.isSymbolicLink() ? await realpath(path).catch(() => null) : path
    if (!target || !roots.some((candidate) => inside(target, candidate.path))) continue
    const targetInfo = await stat(target).catch(() => null)
    if (!targetInfo) continue
    const kind = targetInfo.isDirectory() ? 'folder' : 'file'
    if (kind === 'file' && input.extensions && !input.extensions.some((extension) => entry.name.endsWith(extension))) continue
    entries.push({ name: entry.name, path, kind, sizeBytes: kind === 'file' ? targetInfo.size : null })
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, 'en', { numeric: true }) : a.kind === 'folder' ? -1 : 1))
  return { path: folder, parent: folder === root.path ? null : dirname(folder), entries, roots }
}
