import type { Clock } from '../ports/index.ts'
import type { ModelClient } from '../ports/model.ts'
import type { RetryPolicy } from './resilient-stream.ts'

/** A model a provider offers, as its list reports it. */
export interface ModelInfo {
  name: string
  sizeBytes: number | null
  /** Ollama: family, parameter size and quantisation ("qwen2 7.6B Q4_K_M"); others: the owner. */
  details: string | null
}

/** One progress line of a model download (Ollama's pull). */
export interface PullProgress {
  status: string
  completed: number | null
  total: number | null
}

/** A provider that can also list its models (and, for Ollama, download them). */
export interface ModelCatalogClient extends ModelClient {
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>
  pull?(model: string, onProgress: (progress: PullProgress) => void, signal?: AbortSignal): Promise<void>
}

/** Options every network adapter takes; tests shrink the delays, hosts may swap fetch. */
export interface AdapterOptions {
  /** The provider's configured name ("local-ollama", "vllm-box"), used in messages and logs. */
  name?: string
  baseUrl?: string
  policy?: Partial<RetryPolicy>
  clock?: Clock
  random?: () => number
  fetch?: typeof fetch
  /** Timeout for one-shot calls (model list, test) in milliseconds. */
  requestTimeoutMs?: number
}

// Listing models is a small request: a server that needs longer is as good as down.
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000
