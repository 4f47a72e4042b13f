import { z } from 'zod'
import { route } from './define.ts'

/** Where a task came from: shipped with the studio, or a file the user opened. */
export type TaskSource = 'sample' | 'opened'

/** A task in KernelBench format, as listed. */
export interface TaskSummary {
  id: string
  name: string
  path: string
  source: TaskSource
  /** KernelBench level when the file name or folder says it, otherwise null. */
  level: number | null
  sizeBytes: number
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

export const taskRoutes = {
  'tasks.list': route<TaskSummary[]>()(z.object({}).strict()),
  'tasks.read': route<TaskDetail>()(taskRef),
  'tasks.open': route<TaskDetail>()(z.object({ path: z.string().min(1) }).strict()),
}
