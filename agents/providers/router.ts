import type { AgentRole, ModelClient, ModelEvent, ModelRequest } from '../ports/model.ts'
import { agentRoles } from '../contract/registry.ts'
import { ProviderError } from './provider-error.ts'

export const AGENT_ROLES: readonly AgentRole[] = agentRoles

/** A provider (by its configured name) and a model on it. */
export interface ModelRef {
  provider: string
  model: string
}

/** "provider:model" -> ref. Only the first colon splits: Ollama tags ("qwen2.5-coder:7b") keep theirs. */
export function parseModelRef(text: string): ModelRef {
  const at = text.indexOf(':')
  const provider = at > 0 ? text.slice(0, at).trim() : ''
  const model = at > 0 ? text.slice(at + 1).trim() : ''
  if (!provider || !model)
    throw new ProviderError('PROVIDER_CONFIG', `"${text}" is not provider:model (for example ollama:qwen2.5-coder:7b or vllm:Qwen/Qwen2.5-Coder-32B-Instruct).`)
  return { provider, model }
}

export const formatModelRef = (ref: ModelRef): string => `${ref.provider}:${ref.model}`

/** The client one role uses: requests sent through it carry the routed model and the role. */
export interface RoleModel {
  role: AgentRole
  provider: string
  model: string
  client: ModelClient
}

/**
 * Routes each agent role to its provider and model (designer on a large cloud model, coder and
 * fixer on a local one, say). `clientFor` builds or reuses the client of a configured provider.
 */
export class ModelRouter {
  constructor(
    private readonly roles: Partial<Record<AgentRole, ModelRef>>,
    private readonly clientFor: (provider: string) => ModelClient,
    private readonly fallback: ModelRef | null = null,
  ) {}

  refFor(role: AgentRole): ModelRef {
    const ref = this.roles[role] ?? this.fallback
    if (!ref)
      throw new ProviderError('PROVIDER_CONFIG', `No model is set for the ${role} role: choose one in Settings, or pass --model ${role}=provider:model.`)
    return ref
  }

  modelFor(role: AgentRole): RoleModel {
    const ref = this.refFor(role)
    const inner = this.clientFor(ref.provider)
    const client: ModelClient = {
      provider: inner.provider,
      stream: (request: ModelRequest, signal?: AbortSignal): AsyncIterable<ModelEvent> =>
        inner.stream({ ...request, model: ref.model, role: request.role ?? role }, signal),
    }
    return { role, provider: ref.provider, model: ref.model, client }
  }
}
