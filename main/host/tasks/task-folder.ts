import { readdir, stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { AppError, type TaskFolder, type TaskSummary } from '../../../agents/contract/index.ts'
import { levelFromPath } from './outline.ts'

/** KernelBench has four levels of about 100 problems; a folder with far more is not a task folder. */
const FOLDER_TASK_LIMIT = 2000
/** How deep below the opened folder to look for level folders (checkout/KernelBench/level1). */
const LEVEL_SEARCH_DEPTH = 2

/**
 * Lists a KernelBench checkout: level folders (level1, level2, ...) found at the opened folder or
 * up to two folders below it, each with its `N_Name.py` problems in numeric order. Nothing is run.
 */
export async function scanTaskFolder(path: string): Promise<TaskFolder> {
  const folder = resolve(path)
  const info = await stat(folder).catch(() => null)
  if (!info) throw new AppError('FOLDER_NOT_FOUND', `No folder at ${folder}. Check the path (for KernelBench, the folder you cloned).`)
  if (!info.isDirectory()) throw new AppError('FOLDER_INVALID', `${folder} is a file; open it with "Open file" instead, or give its folder.`)
  const levelDirs = await findLevelFolders(folder, LEVEL_SEARCH_DEPTH)
  const groups = levelDirs.length > 0 ? levelDirs : [folder]
  const levels: TaskFolder['levels'] = []
  let taskCount = 0
  for (const directory of groups) {
    const files = (await readdir(directory, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith('.py') && !entry.name.startsWith('_'))
      .map((entry) => entry.name)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    taskCount += files.length
    if (taskCount > FOLDER_TASK_LIMIT) {
      throw new AppError(
        'FOLDER_INVALID',
        `${folder} holds more than ${FOLDER_TASK_LIMIT} Python files; open the KernelBench checkout or one of its level folders.`,
      )
    }
    const tasks = await Promise.all(files.map((name) => summarize(join(directory, name), folder)))
    if (tasks.length > 0) levels.push({ level: levelFromPath(basename(directory)), tasks })
  }
  if (taskCount === 0) {
    throw new AppError(
      'FOLDER_INVALID',
      `${folder} has no task files: expected level1/, level2/ ... folders of KernelBench problems (N_Name.py), or .py task files.`,
    )
  }
  return { path: folder, tasksRoot: levelDirs.length > 0 ? resolve(levelDirs[0] ?? folder, '..') : folder, levels, taskCount }
}

async function findLevelFolders(folder: string, depth: number): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => [])
  const levels = entries
    .filter((entry) => entry.isDirectory() && /^level[_-]?\d+$/i.test(entry.name))
    .map((entry) => join(folder, entry.name))
    .sort((a, b) => (levelFromPath(basename(a)) ?? 0) - (levelFromPath(basename(b)) ?? 0))
  if (levels.length > 0 || depth === 0) return levels
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === '__pycache__') continue
    const nested = await findLevelFolders(join(folder, entry.name), depth - 1)
    if (nested.length > 0) return nested
  }
  return []
}

async function summarize(path: string, folder: string): Promise<TaskSummary> {
  const info = await stat(path)
  return {
    id: `file:${path}`,
    name: basename(path, '.py'),
    path,
    source: 'folder',
    level: levelFromPath(basename(join(path, '..'))),
    sizeBytes: info.size,
    folder,
  }
}
