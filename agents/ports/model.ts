/** The agent roles that talk to a model. */
export type AgentRole = 'designer' | 'coder' | 'fixer' | 'conductor'

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** One call to a model: the role it serves is carried for logs, recording and per-role models. */
export interface ModelRequest {
  model: string
  messages: ChatMessage[]
  role?: AgentRole
  temperature?: number
  maxTokens?: number
  /** Seconds without a token after which the call is abandoned and retried. */
  idleTimeoutSeconds?: number
}

export interface TokenUsage {
  inputTokens: number
  outputTokens: number
  /** US dollars when the provider's price is known, else null. */
  costUsd: number | null
}

/** What a streaming call yields: text as it arrives, usage when known, then one finish. */
export type ModelEvent =
  | { type: 'text-delta'; text: string }
  | { type: 'usage'; usage: TokenUsage }
  /** Another attempt follows after delayMs: the text streamed so far is void and the answer restarts (collectAnswer handles it). */
  | { type: 'retry'; attempt: number; delayMs: number; reason: string }
  | { type: 'finish'; reason: 'stop' | 'length' | 'cancelled' | 'error'; error?: string }

/**
 * The port every provider adapter implements (Ollama, OpenAI-compatible, Anthropic, manual, replay).
 * Cancellation is the signal; a provider that cannot be reached throws a ModelError with a code.
 */
export interface ModelClient {
  readonly provider: string
  stream(request: ModelRequest, signal?: AbortSignal): AsyncIterable<ModelEvent>
}

/** A provider failure with a code the UI can act on and a sentence that says what to do. */
export class ModelError extends Error {
  constructor(
    readonly code: 'PROVIDER_UNREACHABLE' | 'PROVIDER_AUTH' | 'PROVIDER_NOT_FOUND' | 'PROVIDER_RATE_LIMITED' | 'PROVIDER_BAD_RESPONSE' | 'PROVIDER_TIMEOUT' | 'PROVIDER_CANCELLED' | 'PROVIDER_CONFIG',
    message: string,
  ) {
    super(message)
    this.name = 'ModelError'
  }
}
