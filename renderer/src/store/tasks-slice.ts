import type { TaskDetail, TaskFolder, TaskSummary } from '../../../agents/contract/index.ts'
import { request } from '../transport/index.ts'
import type { Loadable, Slice } from './slice.ts'

export interface TasksSlice {
  taskList: Loadable<TaskSummary[]>
  taskDetails: Record<string, Loadable<TaskDetail>>
  selectedTaskId: string | null
  loadTasks(): Promise<void>
  selectTask(id: string): Promise<void>
  openTaskFile(path: string): Promise<string | null>
  /** KernelBench checkouts opened as folders, listed by level. */
  taskFolders: Loadable<TaskFolder[]>
  loadFolders(): Promise<void>
  openTaskFolder(path: string): Promise<string | null>
}

export const createTasksSlice: Slice<TasksSlice> = (set, get) => ({
  taskList: { state: 'idle' },
  taskDetails: {},
  selectedTaskId: null,
  async loadTasks() {
    set({ taskList: { state: 'loading' } })
    const result = await request('tasks.list', {})
    set({ taskList: result.ok ? { state: 'ready', value: result.data } : { state: 'error', ...result.error } })
    const first = result.ok ? result.data[0] : undefined
    if (first && get().selectedTaskId === null) await get().selectTask(first.id)
  },
  async selectTask(id) {
    set({ selectedTaskId: id })
    if (get().taskDetails[id]?.state === 'ready') return
    set((state) => ({ taskDetails: { ...state.taskDetails, [id]: { state: 'loading' } } }))
    const result = await request('tasks.read', { id })
    set((state) => ({
      taskDetails: { ...state.taskDetails, [id]: result.ok ? { state: 'ready', value: result.data } : { state: 'error', ...result.error } },
    }))
  },
  taskFolders: { state: 'idle' },
  async loadFolders() {
    const result = await request('tasks.folders', {})
    set({ taskFolders: result.ok ? { state: 'ready', value: result.data } : { state: 'error', ...result.error } })
  },
  async openTaskFolder(path) {
    const result = await request('tasks.openFolder', { path })
    if (!result.ok) return result.error.message
    await get().loadFolders()
    return null
  },
  async openTaskFile(path) {
    const result = await request('tasks.open', { path })
    if (!result.ok) return result.error.message
    set((state) => ({ taskDetails: { ...state.taskDetails, [result.data.id]: { state: 'ready', value: result.data } } }))
    await get().loadTasks()
    await get().selectTask(result.data.id)
    return null
  },
})
