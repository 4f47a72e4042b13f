import Anthropic from '@anthropic-ai/sdk'
import type { ModelEvent, ModelRequest } from '../ports/model.ts'
import { classifyFailure, type FailureWords } from './classify.ts'
import { boundedSignal, linkedFetch } from './linked-fetch.ts'
import { usageWithCost } from './pricing.ts'
import { ProviderError } from './provider-error.ts'
import { DEFAULT_RETRY_POLICY, type AttemptEvent, type RetryPolicy } from './resilient-stream.ts'
import { vendorStream } from './vendor-stream.ts'
import { DEFAULT_REQUEST_TIMEOUT_MS, type AdapterOptions, type ModelCatalogClient, type ModelInfo } from './types.ts'

export const ANTHROPIC_DEFAULT_URL = 'https://api.anthropic.com'
/** The Messages API requires a limit; a full ModelNew module with its kernels fits well within it. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 8192

export interface AnthropicOptions extends AdapterOptions {
  apiKey?: string | null
}

/** Anthropic's Messages API through `@anthropic-ai/sdk`, streamed, with the SDK's retries off. */
export class AnthropicModelClient implements ModelCatalogClient {
  readonly provider: string
  readonly baseUrl: string
  private readonly policy: RetryPolicy

  constructor(private readonly options: AnthropicOptions) {
    this.provider = options.name ?? 'anthropic'
    this.baseUrl = (options.baseUrl ?? ANTHROPIC_DEFAULT_URL).replace(/\/+$/, '')
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
      for await (const model of this.client(bounded).models.list({}, { signal: bounded })) {
        models.push({ name: model.id, sizeBytes: null, details: model.display_name || null })
      }
      return models
    } catch (error) {
      throw classifyFailure(error, this.words('(any)'))
    }
  }

  private client(signal: AbortSignal): Anthropic {
    // Without a key the SDK would look for credentials in the environment and on disk; we never want that.
    if (!this.options.apiKey) throw new ProviderError('PROVIDER_AUTH', `Anthropic provider ${this.provider} has no API key: add it in Settings.`)
    return new Anthropic({
      apiKey: this.options.apiKey,
      baseURL: this.baseUrl,
      maxRetries: 0,
      fetch: linkedFetch(signal, this.options.fetch ?? fetch),
      dangerouslyAllowBrowser: true,
    })
  }

  private async *attempt(request: ModelRequest, signal: AbortSignal): AsyncGenerator<AttemptEvent> {
    const system = request.messages
      .filter((message) => message.role === 'system')
      .map((message) => message.content)
      .join('\n\n')
    const stream = await this.client(signal).messages.create(
      {
        model: request.model,
        max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
        messages: request.messages
          .filter((message) => message.role !== 'system')
          .map((message) => ({ role: message.role as 'user' | 'assistant', content: message.content })),
        ...(system ? { system } : {}),
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
        stream: true,
      },
      { signal },
    )
    let inputTokens = 0
    let outputTokens = 0
    let stopReason: string | null = null
    for await (const event of stream) {
      if (event.type === 'message_start') {
        const usage = event.message.usage
        inputTokens = usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0)
        outputTokens = usage.output_tokens
      } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        yield { type: 'text-delta', text: event.delta.text }
      } else if (event.type === 'message_delta') {
        stopReason = event.delta.stop_reason ?? stopReason
        outputTokens = event.usage.output_tokens ?? outputTokens
      } else if (event.type === 'message_stop') {
        yield { type: 'usage', usage: usageWithCost(request.model, inputTokens, outputTokens, true) }
        yield { type: 'finish', reason: stopReason === 'max_tokens' ? 'length' : 'stop' }
        return
      }
    }
  }

  private words(model: string): FailureWords {
    return {
      who: `Anthropic (${this.baseUrl})`,
      unreachable: (reason) => `Cannot reach Anthropic at ${this.baseUrl} (${reason}): check the network connection or the base URL in Settings.`,
      auth: (status) => `${status} from Anthropic provider ${this.provider}: check the API key in Settings.`,
      notFound: (detail) => `Anthropic has no model ${model} (404: ${detail}): pick one of the models listed in Settings (for example claude-sonnet-4-5).`,
    }
  }
}
