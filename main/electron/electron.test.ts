import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it, vi } from 'vitest'

/** A stand-in for the electron module: records what the front door asks of it. */
const electron = vi.hoisted(() => {
  const ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>()
  const windows: Array<{ options: Record<string, unknown>; url: string | null; sent: unknown[][] }> = []
  let ready: () => void = () => undefined
  const readyPromise = new Promise<void>((resolve) => (ready = resolve))
  class BrowserWindow {
    record: { options: Record<string, unknown>; url: string | null; sent: unknown[][] }
    webContents: Record<string, unknown>
    constructor(options: Record<string, unknown>) {
      this.record = { options, url: null, sent: [] }
      windows.push(this.record)
      const record = this.record
      this.webContents = {
        setWindowOpenHandler: () => undefined,
        on: () => undefined,
        isDestroyed: () => false,
        send: (...args: unknown[]) => record.sent.push(args),
      }
    }
    once() {}
    on() {}
    show() {}
    async loadURL(url: string) {
      this.record.url = url
    }
  }
  return {
    ipcHandlers,
    protocolHandlers,
    windows,
    fireReady: () => ready(),
    appRoot: '',
    module: {
      app: {
        getAppPath: () => electron.appRoot,
        whenReady: () => readyPromise,
        on: () => undefined,
        quit: () => undefined,
        exit: () => undefined,
        removeAllListeners: () => undefined,
      },
      BrowserWindow,
      ipcMain: {
        handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => ipcHandlers.set(channel, handler),
        removeHandler: (channel: string) => ipcHandlers.delete(channel),
      },
      protocol: {
        registerSchemesAsPrivileged: () => undefined,
        handle: (scheme: string, handler: (request: Request) => Promise<Response>) => protocolHandlers.set(scheme, handler),
      },
      session: { defaultSession: { setPermissionRequestHandler: () => undefined } },
      shell: { openExternal: async () => undefined },
      contextBridge: { exposeInMainWorld: vi.fn() },
      ipcRenderer: { invoke: vi.fn(async () => ({ ok: true, data: 'pong' })), on: vi.fn(), removeListener: vi.fn() },
    },
  }
})

vi.mock('electron', () => ({ ...electron.module, default: electron.module }))

const repoRoot = join(import.meta.dirname, '..', '..')

beforeAll(async () => {
  // The window loads the built renderer; give it a minimal one in a copy of the app root's shape.
  const appRoot = mkdtempSync(join(tmpdir(), 'akg-electron-'))
  mkdirSync(join(appRoot, 'out', 'renderer'), { recursive: true })
  mkdirSync(join(appRoot, 'resources', 'tasks'), { recursive: true })
  writeFileSync(join(appRoot, 'package.json'), JSON.stringify({ version: '9.9.9' }))
  writeFileSync(join(appRoot, 'out', 'renderer', 'index.html'), '<!doctype html><title>studio</title>')
  electron.appRoot = appRoot
  process.env.AKG_STUDIO_HOME = join(appRoot, 'data')
  await import('./index.ts')
  electron.fireReady()
  await vi.waitFor(() => expect(electron.windows[0]?.url).not.toBeNull())
})

describe('Electron front door', () => {
  it('opens one window with isolation and sandbox on and Node off', () => {
    const preferences = electron.windows[0]?.options.webPreferences as Record<string, unknown>
    expect(preferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false })
    expect(String(preferences.preload)).toMatch(/preload[/\\]index\.cjs$/)
    expect(electron.windows[0]?.url).toBe('app://studio/index.html')
  })

  it('serves the renderer with a strict CSP and nothing outside its folder', async () => {
    const handler = electron.protocolHandlers.get('app')
    if (!handler) throw new Error('no app:// handler registered')
    const page = await handler(new Request('app://studio/index.html'))
    expect(page.status).toBe(200)
    const csp = page.headers.get('Content-Security-Policy') ?? ''
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).not.toMatch(/https?:|\*/)
    expect((await handler(new Request('app://studio/../package.json'))).status).toBe(404)
  })

  it('routes IPC requests to the shared handlers and validates their input', async () => {
    const invoke = electron.ipcHandlers.get('akg:request')
    if (!invoke) throw new Error('no IPC handler registered')
    const frame = { senderFrame: { origin: 'app://studio' } }
    expect(await invoke(frame, 'app.info', {})).toMatchObject({ ok: true, data: { version: '9.9.9', transport: 'electron' } })
    expect(await invoke(frame, 'tasks.open', { path: 3 })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it('refuses IPC from a frame that is not the studio', async () => {
    const invoke = electron.ipcHandlers.get('akg:request')
    const result = await invoke?.({ senderFrame: { origin: 'https://evil.example' } }, 'app.info', {})
    expect(result).toMatchObject({ ok: false, error: { code: 'ORIGIN_REFUSED' } })
  })

  it('preload exposes exactly request and on', async () => {
    await import(join(repoRoot, 'preload', 'index.ts'))
    const [name, api] = electron.module.contextBridge.exposeInMainWorld.mock.calls[0] as [string, Record<string, (...args: unknown[]) => unknown>]
    expect(name).toBe('akg')
    expect(Object.keys(api).sort()).toEqual(['on', 'request'])
    await expect(api.request?.('app.info', {})).resolves.toEqual({ ok: true, data: 'pong' })
    expect(electron.module.ipcRenderer.invoke).toHaveBeenCalledWith('akg:request', 'app.info', {})
  })
})
