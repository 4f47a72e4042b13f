import { create } from 'zustand'
import { subscribeWithSelector } from 'zustand/middleware'
import { createBenchSlice, type BenchSlice } from './bench-slice.ts'
import { createCandidatesSlice, type CandidatesSlice } from './candidates-slice.ts'
import { createModelSlice, type ModelSlice } from './model-slice.ts'
import { createProvidersSlice, type ProvidersSlice } from './providers-slice.ts'
import { createRunnerSlice, type RunnerSlice } from './runner-slice.ts'
import { createRunsSlice, type RunsSlice } from './runs-slice.ts'
import { createSessionsSlice, type SessionsSlice } from './sessions-slice.ts'
import { createSettingsSlice, type SettingsSlice } from './settings-slice.ts'
import { createTasksSlice, type TasksSlice } from './tasks-slice.ts'
import { createToolchainSlice, type ToolchainSlice } from './toolchain-slice.ts'
import { createTunerSlice, type TunerSlice } from './tuner-slice.ts'
import { createUiSlice, type UiSlice } from './ui-slice.ts'
import { createWorkbenchSlice, type WorkbenchSlice } from './workbench-slice.ts'

/** The one store: typed slices of serialisable data keyed by id. Live objects live in services. */
export type StudioState = TasksSlice &
  ToolchainSlice &
  UiSlice &
  RunsSlice &
  CandidatesSlice &
  SettingsSlice &
  BenchSlice &
  ProvidersSlice &
  SessionsSlice &
  RunnerSlice &
  TunerSlice &
  ModelSlice &
  WorkbenchSlice

export const useStudio = create<StudioState>()(
  subscribeWithSelector((...args) => ({
    ...createTasksSlice(...args),
    ...createToolchainSlice(...args),
    ...createUiSlice(...args),
    ...createRunsSlice(...args),
    ...createCandidatesSlice(...args),
    ...createSettingsSlice(...args),
    ...createSessionsSlice(...args),
    ...createRunnerSlice(...args),
    ...createBenchSlice(...args),
    ...createProvidersSlice(...args),
    ...createTunerSlice(...args),
    ...createModelSlice(...args),
    ...createWorkbenchSlice(...args),
  })),
)
