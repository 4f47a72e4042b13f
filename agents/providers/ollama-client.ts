import { Ollama } from 'ollama/browser'
import type { ModelEvent, ModelRequest } from '../ports/model.ts'
import { classifyFailure, type FailureWords } from './classify.ts'
import { ProviderError } from './provider-error.ts'
import { boundedSignal, linkedFetch } from './linked-fetch.ts'
import { usageWithCost } from './pricing.ts'
import { DEFAULT_RETRY_POLICY, type AttemptEvent, type RetryPolicy } from './resilient-stream.ts'
import { vendorStream } from './vendor-stream.ts'
import { DEFAULT_REQUEST_TIMEOUT_MS, type AdapterOptions, type ModelCatalogClient, type ModelInfo, type PullProgress } from './types.ts'

export const OLLAMA_DEFAULT_URL = 'http://127.0.0.1:11434'
/** The model suggested when nothing is configured: a coder model that fits a 8 GB GPU. */
export const OLLAMA_SUGGESTED_MODEL = 'qwen2.5-coder:7b'

/**
 * Ollama through the official `ollama` client (its fetch-only build, so the core stays host-free).
 * Each attempt gets its own client whose fetch follows the attempt's signal, and a stream is
 * stopped with the iterator's abort(): leaving the loop alone does not close it (ollama-js #39).
 */
export class OllamaModelClient implements ModelCatalogClient {
  readonly provider: string
  readonly baseUrl: string
  private readonly policy: RetryPolicy

  constructor(private readonly options: AdapterOptions = {}) {
    this.provider = options.name ?? 'ollama'
    this.baseUrl = (options.baseUrl ?? OLLAMA_DEFAULT_URL).replace(/\/+$/, '')
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
    const client = this.client(boundedSignal(signal, this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS))
    try {
      const { models } = await client.list()
      return models.map((model) => ({
        name: model.name,
        sizeBytes: model.size ?? null,
        details: [model.details?.family, model.details?.parameter_size, model.details?.quantization_level].filter(Boolean).join(' ') || null,
      }))
    } catch (error) {
      throw classifyFailure(error, this.words(OLLAMA_SUGGESTED_MODEL))
    }
  }

  /** Downloads a model, reporting each progress line; resolves when Ollama says success. */
  async pull(model: string, onProgress: (progress: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    const client = this.client(signal)
    try {
      const stream = await client.pull({ model, stream: true })
      const abort = () => stream.abort()
      signal?.addEventListener('abort', abort, { once: true })
      try {
        for await (const part of stream) {
          onProgress({ status: part.status, completed: part.completed ?? null, total: part.total ?? null })
        }
      } finally {
        signal?.removeEventListener('abort', abort)
      }
    } catch (error) {
      if (signal?.aborted) throw new ProviderError('PROVIDER_CANCELLED', `The download of ${model} was cancelled.`)
      const failure = classifyFailure(error, this.words(model))
      // Ollama answers an unknown name with a plain error line, not a 404.
      if (/file does not exist|not found|manifest/i.test(failure.message)) {
        throw new ProviderError(
          'PROVIDER_NOT_FOUND',
          `Ollama's library has no model named ${model}: check the name at https://ollama.com/library (for example ${OLLAMA_SUGGESTED_MODEL}).`,
        )
      }
      throw failure
    }
  }

  private client(signal: AbortSignal | undefined): Ollama {
    return new Ollama({ host: this.baseUrl, fetch: linkedFetch(signal, this.options.fetch ?? fetch) })
  }

  private async *attempt(request: ModelRequest, signal: AbortSignal): AsyncGenerator<AttemptEvent> {
    const stream = await this.client(signal).chat({
      model: request.model,
      messages: request.messages,
      stream: true,
      options: {
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
        ...(request.maxTokens === undefined ? {} : { num_predict: request.maxTokens }),
      },
    })
    const abort = () => stream.abort()
    if (signal.aborted) abort()
    signal.addEventListener('abort', abort, { once: true })
    try {
      for await (const part of stream) {
        if (part.message?.content) yield { type: 'text-delta', text: part.message.content }
        if (part.done) {
          yield { type: 'usage', usage: usageWithCost(request.model, part.prompt_eval_count ?? 0, part.eval_count ?? 0, false) }
          yield { type: 'finish', reason: part.done_reason === 'length' ? 'length' : 'stop' }
          return
        }
      }
    } finally {
      signal.removeEventListener('abort', abort)
    }
  }

  private words(model: string): FailureWords {
    return {
      who: `Ollama at ${this.baseUrl}`,
      unreachable: (reason) => `Ollama is not running at ${this.baseUrl} (${reason}): start it with \`ollama serve\`, then \`ollama pull ${model}\`.`,
      auth: (status) => `${status} from Ollama at ${this.baseUrl}: a proxy in front of it wants credentials; check the base URL in Settings.`,
      notFound: () => `Model ${model} is not installed in Ollama at ${this.baseUrl}: run \`ollama pull ${model}\` (or Pull in Settings).`,
    }
  }
}
