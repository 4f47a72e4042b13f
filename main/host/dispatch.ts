import {
  AppError,
  isRouteName,
  routes,
  type ApiError,
  type ParsedInput,
  type Result,
  type RouteName,
  type RouteOutput,
  type Transport,
} from '../../agents/contract/index.ts'
import { z } from 'zod'

/** Who is asking: handlers may answer differently per front door (app.info reports it). */
export interface RequestContext {
  transport: Transport
}

/** One handler per route; a missing or extra key is a type error. */
export type Handlers = {
  [R in RouteName]: (input: ParsedInput<R>, context: RequestContext) => Promise<RouteOutput<R>>
}

const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(input)'}: ${issue.message}`).join('; ')

/** Validates the input against the route's schema, runs the handler and never throws. */
export async function dispatch(handlers: Handlers, route: unknown, rawInput: unknown, context: RequestContext): Promise<Result<unknown>> {
  if (!isRouteName(route)) {
    return {
      ok: false,
      error: { code: 'UNKNOWN_ROUTE', message: `There is no route named ${JSON.stringify(route)}.` },
    }
  }
  const parsed = routes[route].input.safeParse(rawInput ?? {})
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(input)')
    return {
      ok: false,
      error: {
        code: 'VALIDATION',
        message: `Invalid input for ${route}: ${describeIssues(parsed.error)}`,
        detail: { fields, issues: parsed.error.issues.map(({ path, message, code }) => ({ path, message, code })) },
      },
    }
  }
  try {
    const handler = handlers[route] as (input: unknown, context: RequestContext) => Promise<unknown>
    return { ok: true, data: await handler(parsed.data, context) }
  } catch (error) {
    return { ok: false, error: toApiError(error) }
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof AppError) {
    return error.detail === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, detail: error.detail }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { code: 'INTERNAL', message: `Unexpected error: ${message}` }
}
