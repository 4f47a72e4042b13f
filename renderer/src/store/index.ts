import { create } from 'zustand'
import { subscribeWithSelector } from 'zustand/middleware'
import { createTasksSlice, type TasksSlice } from './tasks-slice.ts'
import { createToolchainSlice, type ToolchainSlice } from './toolchain-slice.ts'
import { createUiSlice, type UiSlice } from './ui-slice.ts'

/** The one store: typed slices of serialisable data keyed by id. Live objects live in services. */
export type StudioState = TasksSlice & ToolchainSlice & UiSlice

export const useStudio = create<StudioState>()(
  subscribeWithSelector((...args) => ({
    ...createTasksSlice(...args),
    ...createToolchainSlice(...args),
    ...createUiSlice(...args),
  })),
)
