import type { TokenUsage } from '../ports/model.ts'

/** US dollars per million tokens. */
export interface ModelPrice {
  input: number
  output: number
}

/**
 * List prices of known cloud models, per million tokens, from the vendors' pricing pages
 * (checked 2025-10). Keys match a model id or its dated snapshot ("claude-sonnet-4-20250514")
 * and router-prefixed ids ("anthropic/claude-sonnet-4") find their family. Anything else,
 * local models included, gets a null cost rather than a guess.
 */
export const PRICES_CHECKED = '2025-10'
export const MODEL_PRICES: Record<string, ModelPrice> = {
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'o3-mini': { input: 1.1, output: 4.4 },
  o3: { input: 2, output: 8 },
  'deepseek-chat': { input: 0.28, output: 0.42 },
  'deepseek-reasoner': { input: 0.28, output: 0.42 },
}

// Longest keys first, so "gpt-4o-mini" wins over "gpt-4o".
const KEYS_BY_LENGTH = Object.keys(MODEL_PRICES).sort((a, b) => b.length - a.length)

// What may follow a family name and still be that model: a date snapshot, "latest", a version tag.
const SNAPSHOT_SUFFIX = /^(-\d{4}-?\d{2}-?\d{2}|-latest|@\d{8}|-v\d+(:\d+)?)$/

export function priceOf(model: string): ModelPrice | null {
  const id = (model.split('/').pop() ?? model).toLowerCase()
  for (const key of KEYS_BY_LENGTH) {
    if (id === key || (id.startsWith(key) && SNAPSHOT_SUFFIX.test(id.slice(key.length)))) return MODEL_PRICES[key] ?? null
  }
  return null
}

/** Usage with its cost; a cost only when the provider bills by token and the price is known. */
export function usageWithCost(model: string, inputTokens: number, outputTokens: number, billed: boolean): TokenUsage {
  const price = billed ? priceOf(model) : null
  const costUsd = price ? (inputTokens * price.input + outputTokens * price.output) / 1_000_000 : null
  return { inputTokens, outputTokens, costUsd }
}
