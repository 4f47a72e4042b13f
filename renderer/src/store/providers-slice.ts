import type { ApiError, ManualPrompt, ModelPullProgress, ProviderModel, ProviderStatus, RoleModels, RouteInput } from '../../../agents/contract/index.ts'
import { request, subscribe } from '../transport/index.ts'
import type { Loadable, Slice } from './slice.ts'
import { agentRoles } from '../../../agents/contract/registry.ts'

export interface ProvidersSlice {
  providers: Loadable<ProviderStatus[]>
  /** Models per provider name, from providers.models or a successful test. */
  providerModels: Record<string, ProviderModel[]>
  /** The latest pull line per `provider:model` being downloaded. */
  pulls: Record<string, ModelPullProgress & { error?: string; done?: boolean }>
  /** Whether any provider answered at launch; null until every provider was tried once. */
  modelReachable: boolean | null
  manualPrompts: Record<string, ManualPrompt>
  loadProviders(): Promise<void>
  /** Tries every provider once (launch, and after a change) to learn whether any model is reachable. */
  checkProviders(): Promise<void>
  testProvider(name: string): Promise<ApiError | null>
  saveProvider(input: RouteInput<'providers.save'>): Promise<ApiError | null>
  removeProvider(name: string): Promise<ApiError | null>
  pullModel(name: string, model: string): Promise<ApiError | null>
  saveRoles(roles: RoleModels): Promise<ApiError | null>
  answerManual(id: string, text: string): Promise<ApiError | null>
}

const pullKey = (provider: string, model: string) => `${provider}:${model}`

export const createProvidersSlice: Slice<ProvidersSlice> = (set, get) => {
  subscribe('model-pull-progress', (progress) => {
    set((state) => ({ pulls: { ...state.pulls, [pullKey(progress.provider, progress.model)]: progress } }))
  })
  subscribe('manual-prompt-start', (prompt) => set((state) => ({ manualPrompts: { ...state.manualPrompts, [prompt.id]: prompt } })))
  subscribe('manual-prompt-end', ({ id }) =>
    set((state) => {
      const { [id]: _done, ...rest } = state.manualPrompts
      return { manualPrompts: rest }
    }),
  )
  const refreshChoices = () => {
    const models = get().providerModels
    get().setModelChoices(Object.entries(models).flatMap(([provider, list]) => list.map((model) => `${provider}:${model.name}`)))
  }
  return {
    providers: { state: 'idle' },
    providerModels: {},
    pulls: {},
    modelReachable: null,
    manualPrompts: {},
    async loadProviders() {
      const [list, roles, pending] = await Promise.all([request('providers.list', {}), request('providers.roles', {}), request('providers.pending', {})])
      set({ providers: list.ok ? { state: 'ready', value: list.data } : { state: 'error', ...list.error } })
      if (roles.ok) get().setRoleModels(roles.data)
      if (pending.ok) set({ manualPrompts: Object.fromEntries(pending.data.map((prompt) => [prompt.id, prompt])) })
    },
    async checkProviders() {
      await get().loadProviders()
      const current = get().providers
      if (current.state !== 'ready') return set({ modelReachable: false })
      const results = await Promise.all(current.value.map((provider) => get().testProvider(provider.name)))
      set({ modelReachable: results.some((error) => error === null) })
    },
    async testProvider(name) {
      const result = await request('providers.test', { name })
      if (result.ok) {
        set((state) => ({ providerModels: { ...state.providerModels, [name]: result.data.models } }))
        refreshChoices()
      }
      const list = await request('providers.list', {})
      if (list.ok) set({ providers: { state: 'ready', value: list.data } })
      if (result.ok) set({ modelReachable: true })
      return result.ok ? null : result.error
    },
    async saveProvider(input) {
      const result = await request('providers.save', input)
      if (!result.ok) return result.error
      await get().loadProviders()
      return null
    },
    async removeProvider(name) {
      const result = await request('providers.remove', { name })
      if (!result.ok) return result.error
      set((state) => {
        const { [name]: _removed, ...providerModels } = state.providerModels
        return { providerModels }
      })
      refreshChoices()
      await get().loadProviders()
      return null
    },
    async pullModel(name, model) {
      const key = pullKey(name, model)
      set((state) => ({ pulls: { ...state.pulls, [key]: { provider: name, model, status: 'starting', completed: null, total: null } } }))
      const result = await request('providers.pull', { name, model })
      set((state) => ({
        pulls: {
          ...state.pulls,
          [key]: { ...(state.pulls[key] as ModelPullProgress), done: result.ok, ...(result.ok ? {} : { error: result.error.message }) },
        },
      }))
      if (result.ok) await get().testProvider(name)
      return result.ok ? null : result.error
    },
    async saveRoles(roles) {
      const input = Object.fromEntries(agentRoles.map((role) => [role, roles[role]?.trim() ? roles[role]?.trim() : null]))
      const result = await request('providers.setRoles', input)
      if (!result.ok) return result.error
      get().setRoleModels(result.data)
      return null
    },
    async answerManual(id, text) {
      const result = await request('providers.answer', { id, text })
      return result.ok ? null : result.error
    },
  }
}
