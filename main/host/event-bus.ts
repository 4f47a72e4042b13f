import type { EventName, EventPayload } from '../../agents/contract/index.ts'

type Listener = (name: EventName, payload: unknown) => void

/** Fans backend events out to every front door that is listening (IPC window, WebSocket clients, CLI). */
export class EventBus {
  private readonly listeners = new Set<Listener>()

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(name, payload)
      } catch {
        // One broken subscriber (a closed socket) must not stop the others.
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
