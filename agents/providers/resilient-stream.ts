import type { Clock } from '../ports/index.ts'
import type { ModelEvent, TokenUsage } from '../ports/model.ts'
import { connectionCode, isAbortError, ProviderError } from './provider-error.ts'

/** What one attempt of a vendor adapter yields: the model's text, its usage, and how it ended. */
export type AttemptEvent = { type: 'text-delta'; text: string } | { type: 'usage'; usage: TokenUsage } | { type: 'finish'; reason: 'stop' | 'length' }

/** How hard to try: retries with exponential backoff and jitter, and a limit on silence. */
export interface RetryPolicy {
  /** Retries after the first attempt; 3 rides out a model load or a short rate limit. */
  maxRetries: number
  /** First backoff; doubles each retry. */
  baseDelayMs: number
  /** Cap per wait, so a long Retry-After or many doublings never park a run for minutes. */
  maxDelayMs: number
  /** Milliseconds without any event (first token included) before the attempt is abandoned. */
  idleTimeoutMs: number
}

// A cold local model can take a minute to load before its first token, so idle is generous.
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 30_000, idleTimeoutMs: 120_000 }

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const timer = setTimeout(done, ms)
      function done() {
        signal?.removeEventListener('abort', abort)
        resolve()
      }
      function abort() {
        clearTimeout(timer)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', abort, { once: true })
    }),
}

export interface ResilientStreamOptions {
  /** Starts one attempt; it must stop its network work when the signal aborts. */
  attempt: (signal: AbortSignal) => AsyncIterable<AttemptEvent>
  /** Turns anything an attempt throws into the provider's clear error. */
  classify: (error: unknown) => ProviderError
  /** Error for a stream that ended without saying it was done (a dropped connection). */
  truncated: () => ProviderError
  /** Error for an attempt that went silent longer than the idle timeout. */
  idle: (seconds: number) => ProviderError
  policy: RetryPolicy
  signal?: AbortSignal
  clock?: Clock
  random?: () => number
}

/** A server's Retry-After is honoured up to a minute; longer, and the run is better off failing now. */
export const RETRY_AFTER_CAP_MS = 60_000

/** Backoff before retry n (1-based): exponential, capped, with "equal jitter" so clients spread out. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number, retryAfterMs: number | null): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1))
  const jittered = exponential / 2 + (random() * exponential) / 2
  if (retryAfterMs !== null && retryAfterMs > jittered) return Math.round(Math.min(retryAfterMs, Math.max(policy.maxDelayMs, RETRY_AFTER_CAP_MS)))
  return Math.round(jittered)
}

/**
 * Runs attempts until one finishes, yielding ModelEvents. A `retry` event means the text yielded
 * so far is void and the answer starts again. Cancellation ends with finish{cancelled}; a failure
 * that retries cannot fix is thrown as a ProviderError (a ModelError) that says what to do.
 */
export async function* resilientStream(options: ResilientStreamOptions): AsyncGenerator<ModelEvent> {
  const { policy, signal } = options
  const clock = options.clock ?? systemClock
  const random = options.random ?? Math.random
  for (let retry = 0; ; retry += 1) {
    if (signal?.aborted) {
      yield { type: 'finish', reason: 'cancelled' }
      return
    }
    let failure: ProviderError
    try {
      const reason = yield* runAttempt(options)
      yield { type: 'finish', reason }
      return
    } catch (error) {
      if (signal?.aborted) {
        yield { type: 'finish', reason: 'cancelled' }
        return
      }
      failure = error instanceof ProviderError ? error : options.classify(error)
    }
    if (!failure.retryable || retry >= policy.maxRetries) throw failure
    const delayMs = backoffDelay(retry + 1, policy, random, failure.retryAfterMs)
    yield { type: 'retry', attempt: retry + 1, delayMs, reason: failure.message }
    try {
      await clock.sleep(delayMs, signal)
    } catch {
      yield { type: 'finish', reason: 'cancelled' }
      return
    }
  }
}

async function* runAttempt(options: ResilientStreamOptions): AsyncGenerator<ModelEvent, 'stop' | 'length'> {
  const controller = new AbortController()
  const onOuterAbort = () => controller.abort(options.signal?.reason)
  options.signal?.addEventListener('abort', onOuterAbort, { once: true })
  const iterator = options.attempt(controller.signal)[Symbol.asyncIterator]()
  const idleSeconds = options.policy.idleTimeoutMs / 1000
  let started = false
  try {
    for (;;) {
      const next = await withIdleLimit(iterator.next(), options.policy.idleTimeoutMs, controller, options.signal, () => options.idle(idleSeconds))
      if (next.done) throw options.truncated()
      started = true
      const event = next.value
      if (event.type === 'finish') return event.reason
      yield event
    }
  } catch (error) {
    if (options.signal?.aborted || error instanceof ProviderError) throw error
    // A connection lost after the answer began is a cut-off stream, not a server that is down.
    if (started && connectionCode(error)) throw options.truncated()
    if (isAbortError(error) && !controller.signal.aborted) throw options.truncated()
    throw error
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort)
    // Close the connection of an attempt we leave early (timeout, cancel, error) so no socket lingers.
    if (!controller.signal.aborted) controller.abort()
    void Promise.resolve(iterator.return?.()).catch(() => undefined)
  }
}

function withIdleLimit<T>(
  pending: Promise<T>,
  idleMs: number,
  controller: AbortController,
  outer: AbortSignal | undefined,
  idleError: () => ProviderError,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = idleError()
      controller.abort(error)
      reject(error)
    }, idleMs)
    const onAbort = () => reject(outer?.reason ?? new Error('cancelled'))
    outer?.addEventListener('abort', onAbort, { once: true })
    pending.then(
      (value) => {
        clearTimeout(timer)
        outer?.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        outer?.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
