import type { ApiError, EventName, EventPayload, RouteInput, RouteName, RouteOutput } from '../../../agents/contract/index.ts'
import { electronTransport } from './electron.ts'
import type { Transport } from './types.ts'
import { websocketTransport } from './websocket.ts'

/** The Electron bridge when the preload put it there, the WebSocket otherwise. */
export const transport: Transport = window.akg ? electronTransport(window.akg) : websocketTransport(window.location)

export type ApiResult<R extends RouteName> = { ok: true; data: RouteOutput<R> } | { ok: false; error: ApiError }

/** A typed request; the backend validates the input again, the types only help us write it right. */
export function request<R extends RouteName>(route: R, input: RouteInput<R>): Promise<ApiResult<R>> {
  return transport.request(route, input) as Promise<ApiResult<R>>
}

export function subscribe<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
  return transport.on(name, listener)
}
