import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'

/** Channel names shared with main/electron/ipc.ts. */
const REQUEST_CHANNEL = 'akg:request'
const EVENT_CHANNEL = 'akg:event'

/**
 * The whole bridge: request(route, input) and on(event, listener). The renderer gets no
 * ipcRenderer, no Node and no way to name a channel; the backend validates every input.
 */
contextBridge.exposeInMainWorld('akg', {
  request: (route: string, input: unknown): Promise<unknown> => ipcRenderer.invoke(REQUEST_CHANNEL, route, input),
  on: (name: string, listener: (payload: unknown) => void): (() => void) => {
    const forward = (_event: IpcRendererEvent, eventName: string, payload: unknown) => {
      if (eventName === name) listener(payload)
    }
    ipcRenderer.on(EVENT_CHANNEL, forward)
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, forward)
  },
})
