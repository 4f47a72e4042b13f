import OpenAI from 'openai'
import type { ModelEvent, ModelRequest } from '../ports/model.ts'
import { classifyFailure, type FailureWords } from './classify.ts'
import { boundedSignal, linkedFetch } from './linked-fetch.ts'
import { usageWithCost } from './pricing.ts'
import { ProviderError } from './provider-error.ts'
import { DEFAULT_RETRY_POLICY, type AttemptEvent, type RetryPolicy } from './resilient-stream.ts'
import { vendorStream } from './vendor-stream.ts'
import { DEFAULT_REQUEST_TIMEOUT_MS, type AdapterOptions, type ModelCatalogClient, type ModelInfo } from './types.ts'

export interface OpenAiOptions extends AdapterOptions {
  /** Local servers (vLLM, LM Studio, llama.cpp) usually need none; cloud endpoints do. */
  apiKey?: string | null
}

// The SDK refuses to start without a key; local servers ignore whatever is sent.
const NO_KEY = 'no-key'

/**
 * Any server that speaks OpenAI's chat completions (vLLM, LM Studio, llama.cpp server, DeepSeek,
 * OpenRouter), through the official `openai` client with its own retries off: ours emit events.
 * The base URL ends with the API prefix, usually /v1 (http://127.0.0.1:8000/v1).
 */
export class OpenAiModelClient implements ModelCatalogClient {
  readonly provider: string
  readonly baseUrl: string
  private readonly policy: RetryPolicy

  constructor(private readonly options: OpenAiOptions) {
    if (!options.baseUrl)
      throw new ProviderError(
        'PROVIDER_CONFIG',
        `The OpenAI-compatible provider ${options.name ?? ''} has no base URL: set one in Settings (for example http://127.0.0.1:8000/v1).`,
      )
    this.provider = options.name ?? 'openai'
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy }
  }

  stream(request: ModelRequest, signal?: AbortSignal): AsyncIterable<ModelEvent> {
    return vendorStream(request, signal, {
      words: this.words(request.model),
      policy: this.policy,
      attempt: (attemptSignal) => this.attempt(request, attemptSignal),
      clock: this.options.clock,
      random: this.options.random,
    })
  }

  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const bounded = boundedSignal(signal, this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
    try {
      const models: ModelInfo[] = []
      for await (const model of this.client(bounded).models.list({ signal: bounded })) {
        models.push({ name: model.id, sizeBytes: null, details: model.owned_by || null })
      }
      return models
    } catch (error) {
      throw classifyFailure(error, this.words('(any)'))
    }
  }

  private client(signal: AbortSignal): OpenAI {
    return new OpenAI({
      apiKey: this.options.apiKey || NO_KEY,
      baseURL: this.baseUrl,
      maxRetries: 0,
      fetch: linkedFetch(signal, this.options.fetch ?? fetch),
      dangerouslyAllowBrowser: true,
    })
  }

  private async *attempt(request: ModelRequest, signal: AbortSignal): AsyncGenerator<AttemptEvent> {
    const stream = await this.client(signal).chat.completions.create(
      {
        model: request.model,
        messages: request.messages,
        stream: true,
        // Without this the server never reports token counts for a streamed answer.
        stream_options: { include_usage: true },
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
        ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
      },
      { signal },
    )
    let finish: string | null = null
    let usage: { prompt_tokens: number; completion_tokens: number } | null = null
    for await (const chunk of stream) {
      for (const choice of chunk.choices ?? []) {
        if (choice.delta?.content) yield { type: 'text-delta', text: choice.delta.content }
        if (choice.finish_reason) finish = choice.finish_reason
      }
      if (chunk.usage) usage = chunk.usage
    }
    if (finish === null) return
    if (usage) yield { type: 'usage', usage: usageWithCost(request.model, usage.prompt_tokens, usage.completion_tokens, true) }
    yield { type: 'finish', reason: finish === 'length' ? 'length' : 'stop' }
  }

  private words(model: string): FailureWords {
    const who = `OpenAI-compatible server ${this.provider} (${this.baseUrl})`
    return {
      who,
      unreachable: (reason) =>
        `Cannot reach the OpenAI-compatible server ${this.provider} at ${this.baseUrl} (${reason}): start the server, or fix the base URL in Settings (it usually ends in /v1).`,
      auth: (status) => `${status} from OpenAI-compatible server ${this.provider}: check the API key in Settings.`,
      notFound: (detail) =>
        `${who} has no model ${model} (404: ${detail}): pick one of the models it lists in Settings, or check that the base URL ends in /v1.`,
    }
  }
}
