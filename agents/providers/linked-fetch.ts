/**
 * A fetch that also stops when `signal` aborts. Some SDK calls (Ollama's chat before its
 * stream exists, its model list) take no signal; giving each call its own fetch covers them.
 */
export function linkedFetch(signal: AbortSignal | undefined, base: typeof fetch = fetch): typeof fetch {
  if (!signal) return base
  return (input, init) => {
    const signals = [signal, init?.signal].filter((value): value is AbortSignal => value instanceof AbortSignal)
    return base(input, { ...init, signal: signals.length > 1 ? AbortSignal.any(signals) : signal })
  }
}

/** The signal for a one-shot request (list, test): the caller's, bounded by a timeout. */
export function boundedSignal(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs)
  return signal ? AbortSignal.any([signal, timeout]) : timeout
}
