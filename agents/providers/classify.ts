import { connectionCode, describeConnectionCode, isAbortError, parseRetryAfter, ProviderError } from './provider-error.ts'

/** The sentences an adapter gives for each kind of failure; the classification is shared. */
export interface FailureWords {
  /** "Ollama at http://127.0.0.1:11434", "OpenAI-compatible server vllm (http://...)". */
  who: string
  unreachable: (reason: string) => string
  auth: (status: number) => string
  notFound: (detail: string) => string
}

const statusOf = (error: unknown): number | null => {
  const value = (error as { status?: unknown; status_code?: unknown } | null)?.status ?? (error as { status_code?: unknown } | null)?.status_code
  return typeof value === 'number' ? value : null
}

const headerOf = (error: unknown, name: string): string | null => {
  const headers = (error as { headers?: unknown } | null)?.headers
  if (headers && typeof (headers as Headers).get === 'function') return (headers as Headers).get(name)
  return null
}

/** The server's own explanation, trimmed, without the SDK's status prefix. */
export function serverDetail(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message
    .replace(/^\d{3}\s+/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300)
}

/**
 * Maps an SDK or fetch failure to one ProviderError: HTTP status first (401/403 auth, 404 model,
 * 429 rate limit, 5xx server), then connection failures, then bad or cut-off streams.
 */
export function classifyFailure(error: unknown, words: FailureWords): ProviderError {
  if (error instanceof ProviderError) return error
  const status = statusOf(error)
  const detail = serverDetail(error)
  if (status === 401 || status === 403) return new ProviderError('PROVIDER_AUTH', words.auth(status), { status, cause: error })
  if (status === 404) return new ProviderError('PROVIDER_NOT_FOUND', words.notFound(detail), { status, cause: error })
  if (status === 429) {
    return new ProviderError(
      'PROVIDER_RATE_LIMITED',
      `${words.who} is rate limiting requests (429): wait, lower the number of parallel candidates, or raise the limit with the provider. Server said: ${detail}`,
      {
        status,
        retryable: true,
        retryAfterMs: parseRetryAfter(headerOf(error, 'retry-after')),
        cause: error,
      },
    )
  }
  if (status !== null && (status >= 500 || status === 408 || status === 409)) {
    return new ProviderError('PROVIDER_BAD_RESPONSE', `${words.who} failed with ${status}: ${detail}. Check the server's log; the call was retried.`, {
      status,
      retryable: true,
      cause: error,
    })
  }
  if (status !== null && status >= 400) {
    return new ProviderError('PROVIDER_CONFIG', `${words.who} refused the request (${status}): ${detail}. Check the model name and options in Settings.`, {
      status,
      cause: error,
    })
  }
  const code = connectionCode(error)
  if (code || (error as { name?: string } | null)?.name === 'APIConnectionError') {
    return new ProviderError('PROVIDER_UNREACHABLE', words.unreachable(describeConnectionCode(code ?? 'NETWORK')), { retryable: true, cause: error })
  }
  if (isTimeout(error)) {
    return new ProviderError('PROVIDER_TIMEOUT', `${words.who} did not answer in time: check that the server is up and not overloaded.`, {
      retryable: true,
      cause: error,
    })
  }
  if (isAbortError(error)) return truncatedStream(words)
  if (error instanceof SyntaxError || /json|parse|unexpected token/i.test(detail)) {
    return new ProviderError(
      'PROVIDER_BAD_RESPONSE',
      `${words.who} sent a response that is not in its protocol (${detail}): check that the base URL points at the right server.`,
      {
        retryable: true,
        cause: error,
      },
    )
  }
  if (/did not receive done|stream ended|terminated|premature/i.test(detail)) return truncatedStream(words)
  return new ProviderError('PROVIDER_BAD_RESPONSE', `${words.who} failed: ${detail}`, { retryable: true, cause: error })
}

const isTimeout = (error: unknown): boolean =>
  (error as { name?: unknown } | null)?.name === 'TimeoutError' ||
  (error as { name?: unknown } | null)?.name === 'APIConnectionTimeoutError' ||
  (error as { cause?: { name?: unknown } } | null)?.cause?.name === 'TimeoutError'

export const truncatedStream = (words: FailureWords): ProviderError =>
  new ProviderError(
    'PROVIDER_BAD_RESPONSE',
    `${words.who} ended the answer before the model finished (the stream was cut off): check the server's log and its memory.`,
    { retryable: true },
  )

export const idleTimeout = (words: FailureWords, seconds: number): ProviderError =>
  new ProviderError(
    'PROVIDER_TIMEOUT',
    `${words.who} sent nothing for ${seconds} s: the model may be loading or the server overloaded; raise the idle timeout in Settings if this model is slow to start.`,
    {
      retryable: true,
    },
  )
