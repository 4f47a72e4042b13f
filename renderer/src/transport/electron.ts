import type { AkgBridge, Transport } from './types.ts'

export function electronTransport(bridge: AkgBridge): Transport {
  return {
    kind: 'electron',
    request: (route, input) => bridge.request(route, input),
    on: (name, listener) => bridge.on(name, listener as (payload: unknown) => void),
    onStatus: (listener) => {
      listener('open')
      return () => undefined
    },
  }
}
