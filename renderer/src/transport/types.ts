import type { EventName, EventPayload, Result } from '../../../agents/contract/index.ts'

/** How the renderer reaches the backend: Electron's preload bridge or a WebSocket in browser mode. */
export interface Transport {
  readonly kind: 'electron' | 'browser'
  request(route: string, input: unknown): Promise<Result<unknown>>
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void
  /** Connection state changes; the Electron bridge is always connected. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void
}

export type ConnectionStatus = 'connecting' | 'open' | 'closed'

/** The preload's bridge, exactly two functions. */
export interface AkgBridge {
  request(route: string, input: unknown): Promise<Result<unknown>>
  on(name: string, listener: (payload: unknown) => void): () => void
}

declare global {
  interface Window {
    akg?: AkgBridge
  }
}
