import { join } from 'node:path'
import { z } from 'zod'
import { providerKinds, type ProviderConfig, type RoleModels } from '../../../agents/contract/index.ts'
import { OLLAMA_DEFAULT_URL, OLLAMA_SUGGESTED_MODEL } from '../../../agents/providers/index.ts'
import { JsonFile } from '../json-file.ts'

const configSchema = z.object({
  name: z.string(),
  kind: z.enum(providerKinds),
  baseUrl: z.string().nullable().default(null),
  defaultModel: z.string().nullable().default(null),
  cassettePath: z.string().nullable().default(null),
  manualDir: z.string().nullable().default(null),
  idleTimeoutSeconds: z.number().nullable().default(null),
  maxRetries: z.number().nullable().default(null),
})

const documentSchema = z.object({
  providers: z.array(configSchema),
  roles: z
    .object({ designer: z.string().optional(), coder: z.string().optional(), fixer: z.string().optional(), conductor: z.string().optional() })
    .default({}),
})

export type ProvidersDocument = { providers: ProviderConfig[]; roles: RoleModels }

/** The provider every fresh install starts with: a local Ollama, the private default. */
export const DEFAULT_PROVIDER: ProviderConfig = {
  name: 'ollama',
  kind: 'ollama',
  baseUrl: OLLAMA_DEFAULT_URL,
  defaultModel: OLLAMA_SUGGESTED_MODEL,
  cassettePath: null,
  manualDir: null,
  idleTimeoutSeconds: null,
  maxRetries: null,
}

/** providers.json in the data folder: provider configs and the model per role. Never a key. */
export const createProvidersFile = (dataDir: string) =>
  new JsonFile(join(dataDir, 'providers.json'), documentSchema, (): ProvidersDocument => ({ providers: [DEFAULT_PROVIDER], roles: {} }))
