/**
 * The host's LLM providers: configs on disk (providers.json), API keys in a SecretStore, one
 * client per provider, and the model per agent role.
 *
 * For the agent loop:
 *   const { client, model } = await host.modelFor('coder')          // a ModelClient bound to the role's model
 *   const router = await host.providers.router(spec.models)          // per-run overrides (provider:model per role)
 *   const recorder = host.providers.record(client)                   // then saveCassette(path, recorder.cassette())
 * Clients are cached per provider and rebuilt when its config or key changes.
 */
import { readdir, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import {
  AppError,
  type ManualPrompt,
  type ProviderConfig,
  type ProviderModel,
  type ProviderStatus,
  type ProviderTestResult,
  type RoleModels,
} from '../../../agents/contract/index.ts'
import { ModelError, type AgentRole, type ModelClient } from '../../../agents/ports/model.ts'
import {
  AGENT_ROLES,
  createModelClient,
  isCatalogClient,
  ModelRouter,
  parseModelRef,
  RecordingModelClient,
  type ModelRef,
  type RetryPolicy,
  type RoleModel,
} from '../../../agents/providers/index.ts'
import type { EventBus } from '../event-bus.ts'
import { loadCassette } from './cassette-file.ts'
import { FileManualExchange } from './manual-exchange.ts'
import { createProvidersFile, type ProvidersDocument } from './provider-store.ts'
import { apiKeyName, type SecretStore } from './secret-store.ts'

export type ProviderInput = Partial<Omit<ProviderConfig, 'name' | 'kind'>> & Pick<ProviderConfig, 'name' | 'kind'> & { apiKey?: string; clearKey?: boolean }

interface TestRecord {
  status: 'ok' | 'error'
  message: string
  checkedAt: string
}

/** Turns a provider failure into the AppError the contract returns, keeping its code and sentence. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error
  if (error instanceof ModelError) return new AppError(error.code, error.message)
  return new AppError('PROVIDER_BAD_RESPONSE', error instanceof Error ? error.message : String(error))
}

/**
 * What a replay provider offers: its cassette, or each cassette of its folder (one per task and
 * DSL). Reading them is the test: a missing path or a malformed cassette fails with its reason.
 */
async function replayModels(config: ProviderConfig): Promise<ProviderModel[]> {
  const path = config.cassettePath
  if (!path) throw new AppError('PROVIDER_CONFIG', `The replay provider ${config.name} has no cassette: set its cassette file or folder in Settings.`)
  const info = await stat(path).catch(() => null)
  // A missing path gets loadCassette's own error, which names the file and the reason.
  if (!info)
    return loadCassette(path).then(
      () => [],
      (error: unknown) => Promise.reject(toAppError(error)),
    )
  const files = info.isDirectory()
    ? (await readdir(path))
        .filter((file) => file.endsWith('.json'))
        .sort()
        .map((file) => join(path, file))
    : [path]
  const models: ProviderModel[] = []
  for (const file of files) {
    const cassette = await loadCassette(file).catch((error: unknown) => Promise.reject(toAppError(error)))
    models.push({ name: config.defaultModel ?? 'replay', sizeBytes: null, details: `replay of ${basename(file)}: ${cassette.calls.length} recorded call(s)` })
  }
  if (models.length === 0)
    throw new AppError('PROVIDER_CONFIG', `The folder ${path} holds no cassette (.json): record a session or choose resources/cassettes.`)
  // One model name stands for the whole folder; the run picks the task's cassette.
  return info.isDirectory()
    ? [{ name: config.defaultModel ?? 'replay', sizeBytes: null, details: `replays: ${files.map((file) => basename(file)).join(', ')}` }]
    : models
}

export class ProviderService {
  private readonly file
  private readonly clients = new Map<string, ModelClient>()
  private readonly exchanges = new Map<string, FileManualExchange>()
  private readonly tests = new Map<string, TestRecord>()

  constructor(
    private readonly dataDir: string,
    private readonly secrets: SecretStore,
    private readonly events: EventBus,
    /** Tests shorten backoff and timeouts; production uses the defaults. */
    private readonly policy: Partial<RetryPolicy> = {},
  ) {
    this.file = createProvidersFile(dataDir)
  }

  /**
   * Changes in flight. Every read waits for the changes asked for before it, so a Test sent right
   * after a Save reaches the saved address (and caches no client for the old one).
   */
  private changes: Promise<unknown> = Promise.resolve()
  /** Counts forgotten clients, so a client made from settings read before a change is not kept. */
  private generation = 0

  private change<T>(work: () => Promise<T>): Promise<T> {
    const done = this.changes.then(work)
    this.changes = done.catch(() => undefined)
    return done
  }

  /** The saved document, once the changes asked for before this read have landed. */
  private async document(): Promise<ProvidersDocument> {
    await this.changes
    return this.file.read()
  }

  async configs(): Promise<ProviderConfig[]> {
    return (await this.document()).providers
  }

  async list(): Promise<ProviderStatus[]> {
    const configs = await this.configs()
    return Promise.all(configs.map((config) => this.status(config)))
  }

  save(input: ProviderInput): Promise<ProviderStatus> {
    return this.change(() => this.saveNow(input))
  }

  private async saveNow(input: ProviderInput): Promise<ProviderStatus> {
    const { apiKey, clearKey, ...fields } = input
    const next = await this.file.update((document): ProvidersDocument => {
      const existing = document.providers.find((provider) => provider.name === fields.name)
      const merged: ProviderConfig = {
        baseUrl: null,
        defaultModel: null,
        cassettePath: null,
        manualDir: null,
        idleTimeoutSeconds: null,
        maxRetries: null,
        ...existing,
        ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
      } as ProviderConfig
      const providers = existing ? document.providers.map((provider) => (provider.name === merged.name ? merged : provider)) : [...document.providers, merged]
      return { ...document, providers }
    })
    if (apiKey) await this.secrets.set(apiKeyName(input.name), apiKey)
    else if (clearKey) await this.secrets.delete(apiKeyName(input.name))
    this.forget(input.name)
    const saved = next.providers.find((provider) => provider.name === input.name)
    if (!saved) throw new AppError('INTERNAL', `Provider ${input.name} was not saved.`)
    return this.status(saved)
  }

  remove(name: string): Promise<boolean> {
    return this.change(async () => {
      const before = (await this.file.read()).providers.length
      const next = await this.file.update((document) => ({ ...document, providers: document.providers.filter((provider) => provider.name !== name) }))
      await this.secrets.delete(apiKeyName(name))
      this.forget(name)
      return next.providers.length < before
    })
  }

  /** Reaches the provider and lists its models, recording the outcome for providers.list. */
  async test(name: string): Promise<ProviderTestResult> {
    const started = performance.now()
    try {
      const models = await this.models(name)
      const latencyMs = Math.round(performance.now() - started)
      this.tests.set(name, { status: 'ok', message: `${models.length} model(s) available`, checkedAt: new Date().toISOString() })
      return { name, models, latencyMs }
    } catch (error) {
      const failure = toAppError(error)
      this.tests.set(name, { status: 'error', message: failure.message, checkedAt: new Date().toISOString() })
      throw failure
    }
  }

  async models(name: string): Promise<ProviderModel[]> {
    const replay = await this.config(name)
    if (replay.kind === 'replay') return replayModels(replay)
    const client = await this.clientFor(name)
    if (isCatalogClient(client)) return client.listModels().catch((error: unknown) => Promise.reject(toAppError(error)))
    const config = await this.config(name)
    // Manual and replay have no server to ask; they offer the model they stand for.
    return config.defaultModel ? [{ name: config.defaultModel, sizeBytes: null, details: config.kind }] : []
  }

  /** Downloads a model into an Ollama provider, emitting model-pull-progress for each line. */
  async pull(name: string, model: string, signal?: AbortSignal): Promise<{ provider: string; model: string }> {
    const client = await this.clientFor(name)
    if (!isCatalogClient(client) || !client.pull) throw new AppError('PROVIDER_CONFIG', `Provider ${name} cannot download models; only Ollama providers can.`)
    try {
      await client.pull(model, (progress) => this.events.emit('model-pull-progress', { provider: name, model, ...progress }), signal)
    } catch (error) {
      throw toAppError(error)
    }
    return { provider: name, model }
  }

  async roles(): Promise<RoleModels> {
    return (await this.document()).roles
  }

  /** Sets the model per role; null clears a role, a role left out keeps its value. */
  setRoles(input: Partial<Record<AgentRole, string | null>>): Promise<RoleModels> {
    return this.change(() => this.setRolesNow(input))
  }

  private async setRolesNow(input: Partial<Record<AgentRole, string | null>>): Promise<RoleModels> {
    const names = new Set((await this.file.read()).providers.map((config) => config.name))
    for (const value of Object.values(input)) {
      if (value && !names.has(parseModelRef(value).provider)) {
        throw new AppError(
          'PROVIDER_CONFIG',
          `There is no provider named ${parseModelRef(value).provider}: add it in Settings first (configured: ${[...names].join(', ') || 'none'}).`,
        )
      }
    }
    const next = await this.file.update((document) => {
      const roles: RoleModels = { ...document.roles }
      for (const role of AGENT_ROLES) {
        const value = input[role]
        if (value === null) delete roles[role]
        else if (value !== undefined) roles[role] = value
      }
      return { ...document, roles }
    })
    return next.roles
  }

  /**
   * The router for a run: `overrides` (a RunSpec's models) win over the saved roles; a role with
   * neither uses the coder's model, then the first provider's default model.
   */
  async router(overrides: RoleModels = {}): Promise<ModelRouter> {
    const saved = await this.roles()
    const configs = await this.configs()
    const refs: Partial<Record<AgentRole, ModelRef>> = {}
    for (const role of AGENT_ROLES) {
      const value = overrides[role] ?? saved[role]
      if (value) refs[role] = parseModelRef(value)
    }
    const first = configs.find((config) => config.defaultModel)
    const fallback = refs.coder ?? (first?.defaultModel ? { provider: first.name, model: first.defaultModel } : null)
    const clients = new Map<string, ModelClient>()
    for (const ref of [...Object.values(refs), fallback]) {
      if (ref && !clients.has(ref.provider)) clients.set(ref.provider, await this.clientFor(ref.provider))
    }
    return new ModelRouter(
      refs,
      (provider) => {
        const client = clients.get(provider)
        if (!client) throw new AppError('PROVIDER_CONFIG', `There is no provider named ${provider}.`)
        return client
      },
      fallback,
    )
  }

  /** The client and model for one role, from the saved roles (host.modelFor delegates here). */
  async modelFor(role: AgentRole, overrides: RoleModels = {}): Promise<RoleModel> {
    return (await this.router(overrides)).modelFor(role)
  }

  /** Wraps a client so its session can be saved as a cassette (saveCassette in cassette-file.ts). */
  record(client: ModelClient, labels: { provider?: string; model?: string } = {}): RecordingModelClient {
    return new RecordingModelClient(client, labels)
  }

  /** The cached client of a configured provider, built with its key, cassette or manual exchange. */
  async clientFor(name: string): Promise<ModelClient> {
    const cached = this.clients.get(name)
    if (cached) return cached
    const generation = this.generation
    const config = await this.config(name)
    if (config.kind === 'replay') {
      // A replay plays its cassette from the first call: a fresh client each time, never used up.
      if (!config.cassettePath)
        throw new AppError('PROVIDER_CONFIG', `The replay provider ${name} has no cassette: set its cassette file or folder in Settings.`)
      if ((await stat(config.cassettePath).catch(() => null))?.isDirectory()) {
        throw new AppError(
          'PROVIDER_CONFIG',
          `The replay provider ${name} plays a folder of cassettes, one per task: use it in a run, which picks the task's <task>.<dsl>.json.`,
        )
      }
      return createModelClient(config, { cassette: await loadCassette(config.cassettePath).catch((error: unknown) => Promise.reject(toAppError(error))) })
    }
    try {
      const client = createModelClient(config, {
        apiKey: await this.secrets.get(apiKeyName(name)),
        manual: config.kind === 'manual' ? this.exchange(config) : undefined,
        policy: this.policy,
      })
      // A change that landed while this client was being made leaves it uncached: the next
      // call builds one from the changed settings.
      if (generation === this.generation) this.clients.set(name, client)
      return client
    } catch (error) {
      throw toAppError(error)
    }
  }

  pending(): ManualPrompt[] {
    return [...this.exchanges.values()].flatMap((exchange) => exchange.pending())
  }

  async answer(id: string, text: string): Promise<{ id: string; responsePath: string }> {
    for (const exchange of this.exchanges.values()) {
      const responsePath = await exchange.answer(id, text)
      if (responsePath) return { id, responsePath }
    }
    throw new AppError('NOT_FOUND', `No manual prompt ${id} is waiting for an answer; it may have been answered from its file or cancelled.`)
  }

  private exchange(config: ProviderConfig): FileManualExchange {
    let exchange = this.exchanges.get(config.name)
    if (!exchange) {
      exchange = new FileManualExchange(config.manualDir ?? join(this.dataDir, 'manual'), config.name, {
        start: (prompt) => this.events.emit('manual-prompt-start', prompt),
        end: (id, answered) => this.events.emit('manual-prompt-end', { id, answered }),
      })
      this.exchanges.set(config.name, exchange)
    }
    return exchange
  }

  private async config(name: string): Promise<ProviderConfig> {
    const configs = await this.configs()
    const config = configs.find((candidate) => candidate.name === name)
    if (!config)
      throw new AppError(
        'NOT_FOUND',
        `There is no provider named ${name} (configured: ${configs.map((candidate) => candidate.name).join(', ') || 'none'}): add it in Settings.`,
      )
    return config
  }

  private async status(config: ProviderConfig): Promise<ProviderStatus> {
    const test = this.tests.get(config.name)
    const hasKey = (await this.secrets.get(apiKeyName(config.name))) !== null
    return { ...config, hasKey, status: test?.status ?? 'unknown', message: test?.message ?? null, checkedAt: test?.checkedAt ?? null }
  }

  private forget(name: string): void {
    this.generation += 1
    this.clients.delete(name)
    this.tests.delete(name)
  }
}
