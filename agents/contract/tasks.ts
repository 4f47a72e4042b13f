import { z } from 'zod'
import { route } from './define.ts'

/** Where a task came from: shipped with the studio, a file the user opened, or a folder (a KernelBench checkout) opened. */
export type TaskSource = 'sample' | 'opened' | 'folder'

/** A task in KernelBench format, as listed. */
export interface TaskSummary {
  id: string
  name: string
  path: string
  source: TaskSource
  /** KernelBench level when the file name or folder says it, otherwise null. */
  level: number | null
  sizeBytes: number
  /** The opened folder a 'folder' task was listed from. */
  folder?: string
}

/** What a static read of the task file found; no code from it is run to list it. */
export interface TaskOutline {
  hasModel: boolean
  hasGetInputs: boolean
  hasGetInitInputs: boolean
  /** The first line of the Model docstring, when there is one. */
  summary: string | null
  /** Module-level constants such as batch_size = 16, which KernelBench uses for shapes. */
  constants: Record<string, string>
  problems: string[]
}

export interface TaskDetail extends TaskSummary {
  content: string
  outline: TaskOutline
}

const taskRef = z
  .object({
    id: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
  })
  .strict()
  .refine((value) => value.id !== undefined || value.path !== undefined, {
    message: 'give the task id or its path',
    path: ['id'],
  })

/** A folder of tasks, such as a KernelBench checkout, as listed by level. */
export interface TaskFolder {
  /** The folder the user opened (the checkout root or its KernelBench/ folder). */
  path: string
  /** The folder the levels were found in. */
  tasksRoot: string
  levels: Array<{ level: number | null; tasks: TaskSummary[] }>
  taskCount: number
}

export const taskRoutes = {
  'tasks.list': route<TaskSummary[]>()(z.object({}).strict()),
  'tasks.read': route<TaskDetail>()(taskRef),
  'tasks.open': route<TaskDetail>()(z.object({ path: z.string().min(1) }).strict()),
  /** Opens a folder of tasks (a KernelBench checkout: level1/, level2/, ...) and remembers it. */
  'tasks.openFolder': route<TaskFolder>()(z.object({ path: z.string().min(1) }).strict()),
  /** The folders opened before, listed again from disk; a folder that went away is left out. */
  'tasks.folders': route<TaskFolder[]>()(z.object({}).strict()),
}
