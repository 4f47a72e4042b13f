import type { ApiError, Dsl, ModelPatchReport, ModelReport, ModelWinners } from '../../../agents/contract/index.ts'
import { request } from '../transport/index.ts'
import type { Loadable, Slice } from './slice.ts'

/** The winner chosen for a region: a candidate file and its DSL. */
export interface RegionKernel {
  path: string
  dsl: Dsl
}

export interface ModelSlice {
  modelPath: string
  modelDevice: string
  modelReport: Loadable<ModelReport>
  patchReport: Loadable<ModelPatchReport>
  regionKernels: Record<string, RegionKernel>
  /** The best candidates of the runs made on the extracted tasks (Fill from runs). */
  modelWinners: Loadable<ModelWinners>
  setModelTarget(path: string, device: string): void
  setRegionKernel(id: string, kernel: RegionKernel | null): void
  profileModel(options: { extract: boolean; compile: boolean; top?: number; atFloor?: boolean }): Promise<void>
  /** Looks up each extracted task's winner among its runs and puts it in the region's row. */
  /** `slower`: also take a best candidate that was slower than eager on its task. */
  fillWinners(options?: { slower?: boolean }): Promise<void>
  patchModel(options: { compare: boolean; compile: boolean }): Promise<void>
}

const failed = (error: ApiError) => ({ state: 'error' as const, message: error.message, code: error.code })

export const createModelSlice: Slice<ModelSlice> = (set, get) => ({
  modelPath: '',
  modelDevice: 'cpu',
  modelReport: { state: 'idle' },
  patchReport: { state: 'idle' },
  regionKernels: {},
  modelWinners: { state: 'idle' },
  setModelTarget: (modelPath, modelDevice) => set({ modelPath, modelDevice }),
  setRegionKernel: (id, kernel) =>
    set((state) => {
      const next = { ...state.regionKernels }
      if (kernel && kernel.path.trim()) next[id] = kernel
      else delete next[id]
      return { regionKernels: next }
    }),
  async profileModel({ extract, compile, top, atFloor }) {
    const { modelPath: path, modelDevice: device, modelReport } = get()
    set({ modelReport: { state: 'loading', ...(modelReport.state === 'ready' ? { previous: modelReport.value } : {}) } })
    const result = extract
      ? await request('model.extract', { path, device, compile, ...(top ? { top } : {}), ...(atFloor ? { atFloor } : {}) })
      : await request('model.profile', { path, device, compile })
    set({ modelReport: result.ok ? { state: 'ready', value: result.data } : failed(result.error) })
    // Extraction opened the task folder in Tasks; list it again so the new files show there.
    if (result.ok && extract) void get().loadTasks()
  },
  async fillWinners(options = {}) {
    const { modelPath: path, modelDevice: device, modelReport } = get()
    const tasksDir = modelReport.state === 'ready' ? modelReport.value.tasks_dir : undefined
    set({ modelWinners: { state: 'loading' } })
    const result = await request('model.winners', { path, device, ...(tasksDir ? { tasksDir } : {}), ...(options.slower ? { slower: true } : {}) })
    if (!result.ok) return set({ modelWinners: failed(result.error) })
    set((state) => {
      const next = { ...state.regionKernels }
      for (const [id, winner] of Object.entries(result.data.winners)) next[id] = { path: winner.path, dsl: winner.dsl }
      return { modelWinners: { state: 'ready', value: result.data }, regionKernels: next }
    })
  },
  async patchModel({ compare, compile }) {
    const { modelPath: path, modelDevice: device, regionKernels, modelReport } = get()
    const tasksDir = modelReport.state === 'ready' ? modelReport.value.tasks_dir : undefined
    const input = { path, device, kernels: regionKernels, ...(tasksDir ? { tasksDir } : {}) }
    set({ patchReport: { state: 'loading' } })
    const result = compare ? await request('model.compare', { ...input, compile }) : await request('model.apply', input)
    set({ patchReport: result.ok ? { state: 'ready', value: result.data } : failed(result.error) })
  },
})
