import type { RunBudget, SearchOptions } from '../../../agents/contract/index.ts'

// The renderer may import only types from agents/; these mirror the contract's defaultBudget and
// defaultSearch (agents/contract/runs.ts), which the backend applies to whatever is left out.
export const DEFAULT_BUDGET: RunBudget = { steps: 12, candidates: 16, tokens: 400_000, minutes: 60 }
export const DEFAULT_SEARCH: SearchOptions = { islands: 2, population: 4, migrationInterval: 2, ucbC: 1.4, concurrency: 2 }
