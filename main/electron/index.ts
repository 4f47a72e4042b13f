import { app, BrowserWindow, ipcMain, protocol, session, shell } from 'electron'
import { join } from 'node:path'
import { createHandlers } from '../host/handlers/index.ts'
import { Host } from '../host/host.ts'
import { bindIpc } from './ipc.ts'
import { serveRenderer } from './protocol.ts'
import { safeStorageSecretStore } from './secret-store.ts'
import { APP_ORIGIN, APP_SCHEME, windowOptions } from './window-options.ts'

// The front door stays thin: window, protocol and IPC. Everything else is the shared host.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])

let window: BrowserWindow | null = null
const host = new Host({
  appRoot: app.getAppPath(),
  electronVersion: process.versions.electron ?? null,
  secretStore: safeStorageSecretStore,
  openPath: openInEditor,
})

/**
 * Opens a (possibly model-written) file for reading. Windows associates .py with python.exe, so
 * "opening" a candidate there would run it: the file is shown in Explorer instead. Elsewhere the
 * default handler of .py is an editor. shell.openPath answers '' on success.
 */
async function openInEditor(path: string): Promise<boolean> {
  if (process.platform === 'win32') {
    shell.showItemInFolder(path)
    return true
  }
  return (await shell.openPath(path)) === ''
}

async function createWindow(): Promise<void> {
  serveRenderer(protocol, APP_SCHEME, join(app.getAppPath(), 'out', 'renderer'))
  // No permission (camera, notifications, geolocation...) is ever granted to the renderer.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  bindIpc(ipcMain, createHandlers(host), host.events, () => window?.webContents ?? null)
  window = new BrowserWindow(windowOptions(join(import.meta.dirname, '../preload/index.cjs')))
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  window.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(APP_ORIGIN)) event.preventDefault()
  })
  window.once('ready-to-show', () => window?.show())
  window.on('closed', () => {
    window = null
  })
  await window.loadURL(`${APP_ORIGIN}/index.html`)
}

app
  .whenReady()
  .then(createWindow)
  .catch((error: unknown) => {
    console.error('AKG Studio could not open its window:', error)
    app.exit(1)
  })
app.on('window-all-closed', () => app.quit())
app.on('before-quit', (event) => {
  // Stop every child process (harness workers, ptys) before exiting, once.
  event.preventDefault()
  app.removeAllListeners('before-quit')
  void host.shutdown().finally(() => app.quit())
})
