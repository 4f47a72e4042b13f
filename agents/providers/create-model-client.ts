import type { ProviderConfig } from '../contract/providers.ts'
import type { Clock } from '../ports/index.ts'
import { AnthropicModelClient } from './anthropic-client.ts'
import type { Cassette } from './cassette.ts'
import { ManualModelClient, type ManualExchange } from './manual-client.ts'
import { OllamaModelClient } from './ollama-client.ts'
import { OpenAiModelClient } from './openai-client.ts'
import { ProviderError } from './provider-error.ts'
import { ReplayModelClient } from './replay-client.ts'
import type { RetryPolicy } from './resilient-stream.ts'
import type { ModelCatalogClient } from './types.ts'
import type { ModelClient } from '../ports/model.ts'

/** What a host resolves before building a client: the key, the manual exchange, the loaded cassette. */
export interface ClientDependencies {
  apiKey?: string | null
  manual?: ManualExchange
  cassette?: Cassette
  policy?: Partial<RetryPolicy>
  clock?: Clock
  fetch?: typeof fetch
}

/** Builds the adapter a provider config names. Network adapters can also list models. */
export function createModelClient(config: ProviderConfig, dependencies: ClientDependencies = {}): ModelClient | ModelCatalogClient {
  const policy: Partial<RetryPolicy> = {
    ...(config.idleTimeoutSeconds ? { idleTimeoutMs: config.idleTimeoutSeconds * 1000 } : {}),
    ...(config.maxRetries === null ? {} : { maxRetries: config.maxRetries }),
    ...dependencies.policy,
  }
  const common = { name: config.name, policy, clock: dependencies.clock, fetch: dependencies.fetch }
  switch (config.kind) {
    case 'ollama':
      return new OllamaModelClient({ ...common, baseUrl: config.baseUrl ?? undefined })
    case 'openai':
      return new OpenAiModelClient({ ...common, baseUrl: config.baseUrl ?? undefined, apiKey: dependencies.apiKey ?? null })
    case 'anthropic':
      return new AnthropicModelClient({ ...common, baseUrl: config.baseUrl ?? undefined, apiKey: dependencies.apiKey ?? null })
    case 'manual':
      if (!dependencies.manual) throw new ProviderError('PROVIDER_CONFIG', `The manual provider ${config.name} needs the host's prompt exchange.`)
      return new ManualModelClient(dependencies.manual, { name: config.name })
    case 'replay':
      if (!dependencies.cassette)
        throw new ProviderError('PROVIDER_CONFIG', `The replay provider ${config.name} has no cassette: set its cassette file in Settings.`)
      return new ReplayModelClient(dependencies.cassette, { name: config.name, source: config.cassettePath ?? undefined })
  }
}

export const isCatalogClient = (client: ModelClient): client is ModelCatalogClient => typeof (client as ModelCatalogClient).listModels === 'function'

/** Clients for several providers at once, keyed by provider name (a host resolves each one's dependencies). */
export function createModelClients(
  configs: ProviderConfig[],
  dependenciesFor: (config: ProviderConfig) => ClientDependencies = () => ({}),
): Map<string, ModelClient> {
  return new Map(configs.map((config) => [config.name, createModelClient(config, dependenciesFor(config))]))
}
