import { z } from 'zod'
import type { AgentRole } from '../ports/model.ts'
import { route } from './define.ts'

/** The vendor clients a provider can use. */
export const providerKinds = ['ollama', 'openai', 'anthropic', 'manual', 'replay'] as const
export type ProviderKind = (typeof providerKinds)[number]

/** A provider as configured; the API key is never part of it (see hasKey). */
export interface ProviderConfig {
  /** Unique, lower-case: the `provider` in `provider:model` ("ollama", "vllm-box"). */
  name: string
  kind: ProviderKind
  /** Ollama: http://127.0.0.1:11434; OpenAI-compatible: up to /v1; Anthropic: https://api.anthropic.com. */
  baseUrl: string | null
  /** The model offered first for this provider. */
  defaultModel: string | null
  /** Replay: the cassette file to play. */
  cassettePath: string | null
  /** Manual: the folder for prompt and response files (default: manual/ in the data folder). */
  manualDir: string | null
  /** Seconds without a token before a call is abandoned and retried; null for the default (120). */
  idleTimeoutSeconds: number | null
  /** Retries on 429, 5xx and dropped connections; null for the default (3). */
  maxRetries: number | null
}

/** What providers.list shows: the config, whether a key is stored, and the last test's outcome. */
export interface ProviderStatus extends ProviderConfig {
  hasKey: boolean
  status: 'unknown' | 'ok' | 'error'
  /** The clear error of the last failed test, or a summary of the last good one. */
  message: string | null
  checkedAt: string | null
}

/** A model a provider offers. */
export interface ProviderModel {
  name: string
  sizeBytes: number | null
  details: string | null
}

/** The outcome of providers.test when the provider answered. */
export interface ProviderTestResult {
  name: string
  models: ProviderModel[]
  latencyMs: number
}

/** A `provider:model` per role; a role left out uses the coder's model, then the first provider's default. */
export type RoleModels = Partial<Record<AgentRole, string>>

/** A manual call waiting for its answer. */
export interface ManualPrompt {
  id: string
  provider: string
  role: AgentRole | null
  model: string
  promptPath: string
  responsePath: string
  prompt: string
  createdAt: string
}

/** Payload of model-pull-progress: one line of an Ollama download. */
export interface ModelPullProgress {
  provider: string
  model: string
  status: string
  completed: number | null
  total: number | null
}

export const providerNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, 'use lower-case letters, digits, - and _ (for example vllm-box)')
  .max(40)
const modelRefSchema = z.string().regex(/^[a-z][a-z0-9_-]*:.+$/, 'use provider:model, e.g. ollama:qwen2.5-coder:7b')
const byName = z.object({ name: providerNameSchema }).strict()

/**
 * The longest manual answer accepted: far past any kernel module (the agent loop reads the first
 * 200 000 characters of an answer), small enough that every transport carries it whole.
 */
export const maxManualAnswerChars = 8 << 20

export const providerRoutes = {
  'providers.list': route<ProviderStatus[]>()(z.object({}).strict()),
  /** Adds or updates a provider. `apiKey` is stored in the secret store; `clearKey` removes it. */
  'providers.save': route<ProviderStatus>()(
    z
      .object({
        name: providerNameSchema,
        kind: z.enum(providerKinds),
        baseUrl: z.string().url().nullable().optional(),
        defaultModel: z.string().min(1).nullable().optional(),
        cassettePath: z.string().min(1).nullable().optional(),
        manualDir: z.string().min(1).nullable().optional(),
        idleTimeoutSeconds: z.number().positive().max(3600).nullable().optional(),
        maxRetries: z.number().int().min(0).max(10).nullable().optional(),
        apiKey: z.string().min(1).max(4096).optional(),
        clearKey: z.boolean().optional(),
      })
      .strict(),
  ),
  'providers.remove': route<{ removed: boolean }>()(byName),
  /** Reaches the provider and lists its models; fails with the provider's clear error. */
  'providers.test': route<ProviderTestResult>()(byName),
  'providers.models': route<ProviderModel[]>()(byName),
  /** Downloads a model into Ollama; progress comes as model-pull-progress events. */
  'providers.pull': route<{ provider: string; model: string }>()(z.object({ name: providerNameSchema, model: z.string().min(1).max(200) }).strict()),
  'providers.roles': route<RoleModels>()(z.object({}).strict()),
  'providers.setRoles': route<RoleModels>()(
    z
      .object({
        designer: modelRefSchema.nullable().optional(),
        coder: modelRefSchema.nullable().optional(),
        fixer: modelRefSchema.nullable().optional(),
        conductor: modelRefSchema.nullable().optional(),
      })
      .strict(),
  ),
  /** Manual provider: the prompts waiting for an answer. */
  'providers.pending': route<ManualPrompt[]>()(z.object({}).strict()),
  /** Manual provider: the answer pasted in the UI for a waiting prompt. */
  'providers.answer': route<{ id: string; responsePath: string }>()(
    z
      .object({ id: z.string().min(1).max(200), text: z.string().min(1).max(maxManualAnswerChars, `an answer is at most ${maxManualAnswerChars} characters`) })
      .strict(),
  ),
}
