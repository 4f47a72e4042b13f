import type { AgentRole } from '../../../agents/contract/index.ts'
import type { Slice } from './slice.ts'

export interface SettingsSlice {
  /** The model per role saved in Settings (providers.roles); New run, Migrate and batches start from it. */
  roleModels: Partial<Record<AgentRole, string>>
  /** `provider:model` strings offered in the model fields (the providers' model lists). */
  modelChoices: string[]
  setRoleModels(models: Partial<Record<AgentRole, string>>): void
  setModelChoices(choices: string[]): void
}

export const createSettingsSlice: Slice<SettingsSlice> = (set) => ({
  roleModels: {},
  modelChoices: [],
  setRoleModels(models) {
    set({ roleModels: models })
  },
  setModelChoices(choices) {
    set({ modelChoices: choices })
  },
})
