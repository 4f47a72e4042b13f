import type { Result } from '../../../agents/contract/index.ts'
import type { ConnectionStatus, Transport } from './types.ts'

/** Delay before reconnecting after the backend went away; doubles up to the maximum. */
const RECONNECT_INITIAL_MS = 500
const RECONNECT_MAX_MS = 8_000

interface Pending {
  resolve: (result: Result<unknown>) => void
}

/**
 * Browser mode: one WebSocket to the backend that printed our URL, with the session token taken
 * from that URL. Requests sent while disconnected wait for the next connection.
 */
export function websocketTransport(location: Location): Transport {
  const token = new URLSearchParams(location.search).get('token') ?? ''
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`
  const pending = new Map<number, Pending>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const statusListeners = new Set<(status: ConnectionStatus) => void>()
  const queue: string[] = []
  let nextId = 1
  let socket: WebSocket | null = null
  let status: ConnectionStatus = 'connecting'
  let delay = RECONNECT_INITIAL_MS

  const setStatus = (next: ConnectionStatus) => {
    status = next
    for (const listener of statusListeners) listener(next)
  }

  const connect = () => {
    setStatus('connecting')
    const current = new WebSocket(url)
    socket = current
    current.onopen = () => {
      delay = RECONNECT_INITIAL_MS
      setStatus('open')
      for (const message of queue.splice(0)) current.send(message)
    }
    current.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as { type: string; id?: number; result?: Result<unknown>; name?: string; payload?: unknown }
      if (data.type === 'response' && typeof data.id === 'number') {
        pending.get(data.id)?.resolve(data.result as Result<unknown>)
        pending.delete(data.id)
      } else if (data.type === 'event' && data.name) {
        for (const listener of listeners.get(data.name) ?? []) listener(data.payload)
      }
    }
    current.onclose = () => {
      setStatus('closed')
      // Requests in flight are lost with the socket; answer them so no view waits forever.
      for (const [id, entry] of pending) {
        entry.resolve({ ok: false, error: { code: 'DISCONNECTED', message: 'Lost the connection to the studio backend; it will reconnect.' } })
        pending.delete(id)
      }
      setTimeout(connect, delay)
      delay = Math.min(delay * 2, RECONNECT_MAX_MS)
    }
  }
  connect()

  return {
    kind: 'browser',
    request(route, input) {
      const id = nextId++
      const message = JSON.stringify({ type: 'request', id, route, input })
      return new Promise((resolve) => {
        pending.set(id, { resolve })
        if (socket?.readyState === WebSocket.OPEN) socket.send(message)
        else queue.push(message)
      })
    },
    on(name, listener) {
      const set = listeners.get(name) ?? new Set()
      set.add(listener as (payload: unknown) => void)
      listeners.set(name, set)
      return () => set.delete(listener as (payload: unknown) => void)
    },
    onStatus(listener) {
      statusListeners.add(listener)
      listener(status)
      return () => statusListeners.delete(listener)
    },
  }
}
