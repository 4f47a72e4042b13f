import type { IpcMain, WebContents } from 'electron'
import { dispatch, type Handlers } from '../host/dispatch.ts'
import type { EventBus } from '../host/event-bus.ts'
import { APP_ORIGIN } from './window-options.ts'

export const REQUEST_CHANNEL = 'akg:request'
export const EVENT_CHANNEL = 'akg:event'

/**
 * One invoke channel for every route, answered by the shared dispatcher (which validates input),
 * and one event channel fanned out to the window. Calls from frames that are not ours are refused.
 */
export function bindIpc(ipcMain: IpcMain, handlers: Handlers, events: EventBus, target: () => WebContents | null): () => void {
  ipcMain.handle(REQUEST_CHANNEL, (event, route: unknown, input: unknown) => {
    const origin = event.senderFrame?.origin
    if (origin !== undefined && origin !== APP_ORIGIN) {
      return { ok: false, error: { code: 'ORIGIN_REFUSED', message: `Requests from ${origin} are refused.` } }
    }
    return dispatch(handlers, route, input, { transport: 'electron' })
  })
  const unsubscribe = events.subscribe((name, payload) => {
    const contents = target()
    if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, name, payload)
  })
  return () => {
    ipcMain.removeHandler(REQUEST_CHANNEL)
    unsubscribe()
  }
}
