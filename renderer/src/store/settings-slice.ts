import type { AgentRole } from '../../../agents/contract/index.ts'
import type { Slice } from './slice.ts'

/** Remembered in the browser until the providers' role settings answer for the backend. */
const MODELS_KEY = 'akg-studio.role-models'

export interface SettingsSlice {
  /** The model each role used last; New run and Migrate start from it. */
  roleModels: Partial<Record<AgentRole, string>>
  /** `provider:model` strings offered in the model fields (the providers' model lists). */
  modelChoices: string[]
  rememberModels(models: Partial<Record<AgentRole, string>>): void
  setModelChoices(choices: string[]): void
}

function readModels(): Partial<Record<AgentRole, string>> {
  try {
    const parsed = JSON.parse(localStorage.getItem(MODELS_KEY) ?? '{}') as unknown
    return typeof parsed === 'object' && parsed !== null ? (parsed as Partial<Record<AgentRole, string>>) : {}
  } catch {
    return {}
  }
}

export const createSettingsSlice: Slice<SettingsSlice> = (set) => ({
  roleModels: readModels(),
  modelChoices: [],
  rememberModels(models) {
    localStorage.setItem(MODELS_KEY, JSON.stringify(models))
    set({ roleModels: models })
  },
  setModelChoices(choices) {
    set({ modelChoices: choices })
  },
})
