import type { Clock } from '../ports/index.ts'
import type { ModelEvent, ModelRequest } from '../ports/model.ts'
import { classifyFailure, idleTimeout, truncatedStream, type FailureWords } from './classify.ts'
import { resilientStream, type AttemptEvent, type RetryPolicy } from './resilient-stream.ts'

export interface VendorStreamOptions {
  /** How the adapter's failures are worded (provider name, base URL, the model asked for). */
  words: FailureWords
  policy: RetryPolicy
  /** One attempt through the vendor's client; it must stop its network work when the signal aborts. */
  attempt: (signal: AbortSignal) => AsyncIterable<AttemptEvent>
  clock?: Clock
  random?: () => number
}

/**
 * What every vendor adapter's stream() returns: its attempts wrapped in retries with backoff, the
 * idle timeout (a request may shorten it), and failures turned into the provider's clear errors.
 */
export function vendorStream(request: ModelRequest, signal: AbortSignal | undefined, options: VendorStreamOptions): AsyncIterable<ModelEvent> {
  const { words } = options
  const policy = request.idleTimeoutSeconds ? { ...options.policy, idleTimeoutMs: request.idleTimeoutSeconds * 1000 } : options.policy
  return resilientStream({
    attempt: options.attempt,
    classify: (error) => classifyFailure(error, words),
    truncated: () => truncatedStream(words),
    idle: (seconds) => idleTimeout(words, seconds),
    policy,
    signal,
    clock: options.clock,
    random: options.random,
  })
}
