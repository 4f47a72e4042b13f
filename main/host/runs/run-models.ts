import { statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import type { RunEvent, RunSpec } from '../../../agents/contract/index.ts'
import type { AgentRole } from '../../../agents/ports/index.ts'
import { RecordingModelClient, ReplayModelClient, type Cassette } from '../../../agents/providers/index.ts'
import type { ModelBinding } from '../../../agents/run/context.ts'
import type { ProviderService } from '../providers/provider-service.ts'
import { loadCassette } from '../providers/cassette-file.ts'
import { agentRoles } from '../../../agents/contract/registry.ts'

/** `cassette:/path/to/file.json` in a RunSpec plays that cassette back for the role, without configuring a provider. */
export const cassettePrefix = 'cassette:'

const roles: readonly AgentRole[] = agentRoles

/**
 * A cassette folder (for benches) holds one cassette per task: <task>.<dsl>.json, else <task>.json,
 * where <task> is the task file's name without .py.
 */
function cassetteFor(path: string, spec: RunSpec): string {
  const folder = statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false
  if (!folder) return path
  const stem = basename(spec.taskPath).replace(/\.py$/, '')
  for (const name of [`${stem}.${spec.dsl}.json`, `${stem}.json`]) {
    try {
      if (statSync(join(path, name)).isFile()) return join(path, name)
    } catch {
      // Try the next name.
    }
  }
  throw new Error(`The cassette folder ${path} has no ${stem}.${spec.dsl}.json or ${stem}.json for this task.`)
}

/**
 * Model calls per role that a resumed replay must skip: those of candidates that finished. The
 * calls of the step cut off by a crash are replayed again, since that step is redone.
 */
export function replayedCalls(prior: RunEvent[]): Map<string, number> {
  const finished = new Set(
    prior.filter((event) => event.type === 'candidate-end').map((event) => (event as Extract<RunEvent, { type: 'candidate-end' }>).candidate.id),
  )
  const done = new Map<string, number>()
  let current: string | null = null
  for (const event of prior) {
    if (event.type === 'design-start' || event.type === 'code-start') current = event.candidateId
    if (event.type === 'usage' && current && finished.has(current)) done.set(event.role, (done.get(event.role) ?? 0) + 1)
  }
  return done
}

/**
 * A configured replay provider stands for its cassette (a file, or a folder of <task>.<dsl>.json):
 * each run gets its own replay from the first call, so the provider is never used up, and a
 * folder picks the task's cassette as `akg run --replay FOLDER` does.
 */
/** The providers a run's models come from. */
export type RunModelDependencies = { providers: Pick<ProviderService, 'configs' | 'modelFor'> }

async function withReplayProviders(host: RunModelDependencies, models: RunSpec['models']): Promise<RunSpec['models']> {
  const replayPaths = new Map(
    (await host.providers.configs())
      .filter((config) => config.kind === 'replay' && config.cassettePath)
      .map((config) => [config.name, config.cassettePath as string]),
  )
  if (replayPaths.size === 0) return models
  return Object.fromEntries(
    Object.entries(models).map(([role, value]) => {
      const path = replayPaths.get(value.split(':')[0] ?? '')
      return [role, path && !value.startsWith(cassettePrefix) ? `${cassettePrefix}${path}` : value]
    }),
  )
}

/**
 * The model per role for a run. Configured providers come from providers.modelFor; cassette roles
 * share one replay client per file, fast-forwarded past the calls the log already holds so a
 * resumed replay run continues where it stopped.
 */
export async function resolveRunModels(
  host: RunModelDependencies,
  spec: RunSpec,
  prior: RunEvent[],
  recording?: { initial: Cassette['calls']; save: (cassette: Cassette) => void },
): Promise<(role: AgentRole) => ModelBinding> {
  // One recorder for the whole run: every role's calls land in one cassette, in the order they started.
  let recorder: RecordingModelClient | null = null
  const recorded = (client: ModelBinding['client'], model: string): ModelBinding['client'] => {
    if (!recording) return client
    recorder = recorder
      ? recorder.also(client)
      : new RecordingModelClient(client, { provider: client.provider, model }, { initial: recording.initial, onCall: recording.save })
    return recorder
  }
  const replays = new Map<string, ReplayModelClient>()
  const bindings = new Map<AgentRole, ModelBinding>()
  const done = replayedCalls(prior)
  const models = await withReplayProviders(host, spec.models)
  const fallback = models.coder ?? Object.values(models)[0]
  const providerModels = Object.fromEntries(Object.entries(models).filter(([, value]) => !value.startsWith(cassettePrefix)))
  for (const role of roles) {
    const value = models[role] ?? (fallback?.startsWith(cassettePrefix) ? fallback : undefined)
    if (value?.startsWith(cassettePrefix)) {
      const path = cassetteFor(resolve(value.slice(cassettePrefix.length)), spec)
      let client = replays.get(path)
      if (!client) {
        client = new ReplayModelClient(await loadCassette(path), { name: 'replay', source: path })
        replays.set(path, client)
      }
      for (let skip = done.get(role) ?? 0; skip > 0; skip -= 1) for await (const event of client.stream({ model: 'replay', messages: [], role })) void event
      bindings.set(role, { client, model: path.split(/[\\/]/).pop()! })
    } else if (role !== 'conductor' || spec.models.conductor) {
      // The Conductor is rule-based unless the spec names a model for it.
      const routed = await host.providers.modelFor(role, providerModels)
      bindings.set(role, { client: recorded(routed.client, routed.model), model: routed.model })
    }
  }
  return (role) => {
    const binding = bindings.get(role)
    if (!binding) throw new Error(`No model is set for the ${role} role.`)
    return binding
  }
}
