import type { EnvironmentList, RunnerStatus, SshHostSettings } from '../../../agents/contract/index.ts'
import { request, subscribe } from '../transport/index.ts'
import type { Loadable, Slice } from './slice.ts'

/** The runner's workers and queue, and the Python environments it can use. */
export interface RunnerSlice {
  runnerStatus: Loadable<RunnerStatus>
  environments: Loadable<EnvironmentList>
  /** The last add or select that failed, shown beside the list it left unchanged. */
  environmentError: { code: string; message: string } | null
  loadRunnerStatus(discover?: boolean): Promise<void>
  loadEnvironments(): Promise<void>
  selectEnvironment(python: string): Promise<void>
  addEnvironment(python: string): Promise<void>
  /** Adds an SSH host and reaches it at once; resolves to the error message when that failed. */
  addSshHost(config: SshHostSettings): Promise<string | null>
  removeSshHost(name: string): Promise<void>
}

export const createRunnerSlice: Slice<RunnerSlice> = (set, get) => {
  // The backend sends at most ten of these a second while workers change.
  subscribe('runner-status', (status) => set({ runnerStatus: { state: 'ready', value: status } }))
  const settle = (result: Awaited<ReturnType<typeof request<'toolchain.list'>>>) => {
    if (result.ok) return set({ environments: { state: 'ready', value: result.data }, environmentError: null })
    const previous = readyValue(get().environments)
    set({ environments: previous ? { state: 'ready', value: previous } : { state: 'error', ...result.error }, environmentError: result.error })
  }
  return {
    runnerStatus: { state: 'idle' },
    environments: { state: 'idle' },
    environmentError: null,
    async loadRunnerStatus(discover = false) {
      if (get().runnerStatus.state === 'idle') set({ runnerStatus: { state: 'loading' } })
      const result = await request('runner.status', discover ? { discover: true } : {})
      set({ runnerStatus: result.ok ? { state: 'ready', value: result.data } : { state: 'error', ...result.error } })
    },
    async loadEnvironments() {
      set({ environments: { state: 'loading', previous: readyValue(get().environments) } })
      settle(await request('toolchain.list', {}))
    },
    async selectEnvironment(python) {
      set({ environments: { state: 'loading', previous: readyValue(get().environments) } })
      settle(await request('toolchain.select', { python }))
      // The report describes the chosen environment: ask again.
      void get().detectToolchain(true)
    },
    async addSshHost(config) {
      const result = await request('runner.addHost', config)
      if (!result.ok) return result.error.message
      set({ runnerStatus: { state: 'ready', value: result.data } })
      return result.data.hosts.find((host) => host.name === config.name)?.error ?? null
    },
    async removeSshHost(name) {
      const result = await request('runner.removeHost', { name })
      if (result.ok) set({ runnerStatus: { state: 'ready', value: result.data } })
    },
    async addEnvironment(python) {
      set({ environments: { state: 'loading', previous: readyValue(get().environments) } })
      settle(await request('toolchain.add', { python }))
    },
  }
}

function readyValue<T>(loadable: { state: string; value?: T; previous?: T }): T | undefined {
  return loadable.state === 'ready' ? loadable.value : loadable.previous
}
