import { ModelError } from '../ports/model.ts'

export type ModelErrorCode = ModelError['code']

/**
 * A ModelError that also says whether trying again can help and, for 429, how long the
 * server asked us to wait. The retry loop reads these; callers can treat it as a ModelError.
 */
export class ProviderError extends ModelError {
  readonly retryable: boolean
  readonly status: number | null
  readonly retryAfterMs: number | null

  constructor(
    code: ModelErrorCode,
    message: string,
    options: { retryable?: boolean; status?: number | null; retryAfterMs?: number | null; cause?: unknown } = {},
  ) {
    super(code, message)
    this.name = 'ModelError'
    this.retryable = options.retryable ?? false
    this.status = options.status ?? null
    this.retryAfterMs = options.retryAfterMs ?? null
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause
  }
}

/** Network failures Node's fetch (undici) reports as a TypeError whose cause carries a system code. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])

/** The system error code (ECONNREFUSED...) somewhere in an error's cause chain, if any. */
export function connectionCode(error: unknown): string | null {
  let current: unknown = error
  for (let depth = 0; depth < 6 && current; depth += 1) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return code
    const errors = (current as { errors?: unknown }).errors
    if (Array.isArray(errors)) {
      for (const inner of errors) {
        const found = connectionCode(inner)
        if (found) return found
      }
    }
    current = (current as { cause?: unknown }).cause
  }
  if (error instanceof TypeError && /fetch failed|network|terminated|socket/i.test(error.message)) return 'NETWORK'
  return null
}

/** A short human description of a connection failure, for the end of an error sentence. */
export function describeConnectionCode(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found'
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'NETWORK':
      return 'connection dropped'
    default:
      return code
  }
}

/** Seconds or an HTTP date in a Retry-After header, as milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}

export const isAbortError = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'AbortError' || error.name === 'APIUserAbortError' || (error as { code?: unknown }).code === 'ABORT_ERR')
