/** A failure every route can return: a SCREAMING_SNAKE code, a sentence for people, optional detail. */
export interface ApiError {
  code: string
  message: string
  detail?: unknown
}

/** What every request resolves to; Electron's invoke drops error codes, so errors travel as data. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ApiError }

/** An error a handler throws on purpose; the dispatcher turns it into `{ok: false, error}`. */
export class AppError extends Error {
  readonly code: string
  readonly detail?: unknown

  constructor(code: string, message: string, detail?: unknown) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.detail = detail
  }
}

export const ok = <T>(data: T): Result<T> => ({ ok: true, data })
export const fail = (code: string, message: string, detail?: unknown): Result<never> => ({
  ok: false,
  error: detail === undefined ? { code, message } : { code, message, detail },
})
