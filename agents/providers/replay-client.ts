import type { AgentRole, ModelClient, ModelEvent, ModelRequest } from '../ports/model.ts'
import { hashMessages, type Cassette, type CassetteCall } from './cassette.ts'
import { ProviderError } from './provider-error.ts'

export interface ReplayOptions {
  /** Provider name shown in logs; the UI labels replayed answers as replayed. */
  name?: string
  /** Where the cassette came from, for error messages (a file path). */
  source?: string
  /**
   * 'role' (default): the n-th call of a role gets the n-th recorded call of that role, whatever
   * the prompt says, so a run whose prompts carry fresh timings still replays.
   * 'strict': calls must come in the recorded order with the same role and the same messages.
   */
  match?: 'role' | 'strict'
}

/** Plays a recorded session back, call by call; a mismatch or a used-up cassette is a clear error. */
export class ReplayModelClient implements ModelClient {
  readonly provider: string
  readonly replay = true
  private readonly used = new Map<string, number>()
  private next = 0

  constructor(
    private readonly cassette: Cassette,
    private readonly options: ReplayOptions = {},
  ) {
    this.provider = options.name ?? 'replay'
  }

  /** Calls not yet played, per role; a run that ends early leaves some. */
  remaining(): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const call of this.cassette.calls) counts[roleKey(call.role)] = (counts[roleKey(call.role)] ?? 0) + 1
    for (const [role, used] of this.used) counts[role] = (counts[role] ?? 0) - used
    return counts
  }

  async *stream(request: ModelRequest, signal?: AbortSignal): AsyncGenerator<ModelEvent> {
    const call = this.options.match === 'strict' ? await this.strictCall(request) : this.roleCall(request.role ?? null)
    for (const text of call.chunks) {
      if (signal?.aborted) {
        yield { type: 'finish', reason: 'cancelled' }
        return
      }
      yield { type: 'text-delta', text }
      // Let the consumer render between chunks, as a live stream would.
      await Promise.resolve()
    }
    if (call.usage) yield { type: 'usage', usage: call.usage }
    yield { type: 'finish', reason: call.finish }
  }

  private get label(): string {
    return this.options.source ?? `the cassette of ${this.cassette.provider}:${this.cassette.model}`
  }

  private roleCall(role: AgentRole | null): CassetteCall {
    const key = roleKey(role)
    const recorded = this.cassette.calls.filter((call) => roleKey(call.role) === key)
    const index = this.used.get(key) ?? 0
    if (recorded.length === 0) {
      throw new ProviderError(
        'PROVIDER_CONFIG',
        `${this.label} has no recorded call for the ${key} role (it holds ${this.inventory()}): record a cassette with the same workflow.`,
      )
    }
    const call = recorded[index]
    if (!call) {
      throw new ProviderError(
        'PROVIDER_CONFIG',
        `${this.label} is used up for the ${key} role: it recorded ${recorded.length} ${key} call(s) and this is call ${index + 1}. Record a longer session or lower the run's budget.`,
      )
    }
    this.used.set(key, index + 1)
    return call
  }

  private async strictCall(request: ModelRequest): Promise<CassetteCall> {
    const index = this.next
    const call = this.cassette.calls[index]
    const key = roleKey(request.role ?? null)
    if (!call)
      throw new ProviderError(
        'PROVIDER_CONFIG',
        `${this.label} is used up: it recorded ${this.cassette.calls.length} call(s) and this is call ${index + 1} (${key}).`,
      )
    if (roleKey(call.role) !== key) {
      throw new ProviderError(
        'PROVIDER_CONFIG',
        `${this.label} does not match this run at call ${index + 1}: recorded a ${roleKey(call.role)} call, the run made a ${key} call.`,
      )
    }
    const hash = await hashMessages(request.messages)
    if (hash !== call.messagesHash) {
      throw new ProviderError(
        'PROVIDER_CONFIG',
        `${this.label} does not match this run at call ${index + 1} (${key}): the prompt differs from the recorded one (messages ${hash.slice(0, 12)}, recorded ${call.messagesHash.slice(0, 12)}). Replay by role, or record again.`,
      )
    }
    this.next = index + 1
    this.used.set(key, (this.used.get(key) ?? 0) + 1)
    return call
  }

  private inventory(): string {
    const total: Record<string, number> = {}
    for (const call of this.cassette.calls) total[roleKey(call.role)] = (total[roleKey(call.role)] ?? 0) + 1
    const parts = Object.entries(total).map(([role, count]) => `${role} ×${count}`)
    return parts.length > 0 ? parts.join(', ') : 'no calls'
  }
}

const roleKey = (role: AgentRole | null | undefined): string => role ?? 'unassigned'
