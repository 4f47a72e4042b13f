import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, extname, join, relative, resolve, sep } from 'node:path'
import { AppError, type TaskDetail, type TaskFolder, type TaskSummary } from '../../../agents/contract/index.ts'
import type { SettingsFile } from '../settings.ts'
import { levelFromPath, outlineTask } from './outline.ts'
import { scanTaskFolder } from './task-folder.ts'

/** A task file larger than this is not a KernelBench task; refuse rather than load it into the UI. */
const TASK_SIZE_LIMIT = 1 << 20
/** How many opened files the list remembers. */
const OPENED_LIMIT = 50

export class TaskLibrary {
  constructor(
    private readonly sampleDir: string,
    private readonly settings: SettingsFile,
  ) {}

  async list(): Promise<TaskSummary[]> {
    const samples = await this.listSamples()
    const { openedTasks } = await this.settings.read()
    const opened = await Promise.all(openedTasks.map((path) => this.summarize(path, 'opened').catch(() => null)))
    return [...samples, ...opened.filter((task): task is TaskSummary => task !== null)]
  }

  async read(reference: { id?: string; path?: string }): Promise<TaskDetail> {
    const path = reference.path ? resolve(reference.path) : this.pathFromId(reference.id ?? '')
    return this.load(path, this.isSample(path) ? 'sample' : 'opened')
  }

  /** Opens a task file from anywhere on disk; it is remembered only if it reads as a task. */
  async open(path: string): Promise<TaskDetail> {
    const detail = await this.load(resolve(path), 'opened')
    if (detail.outline.problems.length > 0 && (!detail.outline.hasModel || !detail.outline.hasGetInputs)) {
      throw new AppError('TASK_INVALID', `${detail.path} is not a KernelBench-format task: ${detail.outline.problems.join('; ')}.`, {
        path: detail.path,
        problems: detail.outline.problems,
      })
    }
    if (!this.isSample(detail.path)) {
      await this.settings.update((current) => ({
        ...current,
        openedTasks: [detail.path, ...current.openedTasks.filter((item) => item !== detail.path)].slice(0, OPENED_LIMIT),
      }))
    }
    return detail
  }

  /** Lists a KernelBench checkout by level and remembers it for the next launch. */
  async openFolder(path: string): Promise<TaskFolder> {
    const folder = await scanTaskFolder(path)
    await this.settings.update((current) => ({
      ...current,
      openedFolders: [folder.path, ...current.openedFolders.filter((item) => item !== folder.path)].slice(0, OPENED_LIMIT),
    }))
    return folder
  }

  /** The remembered folders, scanned again; one that is gone or emptied is skipped, not an error. */
  async folders(): Promise<TaskFolder[]> {
    const { openedFolders } = await this.settings.read()
    const scanned = await Promise.all(openedFolders.map((path) => scanTaskFolder(path).catch(() => null)))
    return scanned.filter((folder): folder is TaskFolder => folder !== null)
  }

  private async listSamples(): Promise<TaskSummary[]> {
    const files = await walkPython(this.sampleDir)
    const summaries = await Promise.all(files.map((path) => this.summarize(path, 'sample')))
    return summaries.sort((a, b) => (a.level ?? 0) - (b.level ?? 0) || a.name.localeCompare(b.name, 'en', { numeric: true }))
  }

  private async summarize(path: string, source: TaskSummary['source']): Promise<TaskSummary> {
    const info = await stat(path)
    return {
      id: source === 'sample' ? `sample:${relative(this.sampleDir, path).split(sep).join('/')}` : `file:${path}`,
      name: basename(path, '.py'),
      path,
      source,
      level: levelFromPath(source === 'sample' ? relative(this.sampleDir, path) : path),
      sizeBytes: info.size,
    }
  }

  private async load(path: string, source: TaskSummary['source']): Promise<TaskDetail> {
    if (extname(path) !== '.py') {
      throw new AppError('TASK_INVALID', `${path} is not a Python file; a task is a .py file in KernelBench format.`)
    }
    let info
    try {
      info = await stat(path)
    } catch {
      throw new AppError('TASK_NOT_FOUND', `No task file at ${path}. Check the path, or open the file again from Tasks.`)
    }
    if (!info.isFile()) throw new AppError('TASK_INVALID', `${path} is not a file.`)
    if (info.size > TASK_SIZE_LIMIT) {
      throw new AppError('TASK_INVALID', `${path} is ${info.size} bytes; task files over ${TASK_SIZE_LIMIT} bytes are refused.`)
    }
    const content = await readFile(path, 'utf8')
    return { ...(await this.summarize(path, source)), content, outline: outlineTask(content) }
  }

  private pathFromId(id: string): string {
    if (id.startsWith('sample:')) {
      const path = resolve(this.sampleDir, id.slice('sample:'.length))
      if (!this.isSample(path)) throw new AppError('TASK_NOT_FOUND', `No sample task with id ${id}.`)
      return path
    }
    if (id.startsWith('file:')) return resolve(id.slice('file:'.length))
    throw new AppError('TASK_NOT_FOUND', `Unknown task id ${JSON.stringify(id)}: ids start with sample: or file:.`)
  }

  private isSample(path: string): boolean {
    const inside = relative(this.sampleDir, path)
    return !inside.startsWith('..') && !inside.startsWith(sep) && inside !== ''
  }
}

async function walkPython(folder: string): Promise<string[]> {
  let entries
  try {
    entries = await readdir(folder, { withFileTypes: true })
  } catch {
    return []
  }
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(folder, entry.name)
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== '__pycache__') return walkPython(path)
      return entry.isFile() && entry.name.endsWith('.py') && !entry.name.startsWith('_') ? [path] : []
    }),
  )
  return nested.flat()
}
