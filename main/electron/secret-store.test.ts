import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'

// A stand-in for the OS keychain: a reversible transformation that never leaves the plain text.
const keychain = vi.hoisted(() => ({ available: true, backend: 'gnome_libsecret' }))
vi.mock('electron', () => ({
  safeStorage: {
    isEncryptionAvailable: () => keychain.available,
    getSelectedStorageBackend: () => keychain.backend,
    encryptString: (text: string) => Buffer.from(`v10${[...text].reverse().join('')}`),
    decryptString: (cipher: Buffer) => [...cipher.toString().slice(3)].reverse().join(''),
  },
}))

const { SafeStorageSecretStore } = await import('./secret-store.ts')
const SECRET = 'sk-ant-keychain-9000'
const folders: string[] = []
const folder = () => {
  const path = mkdtempSync(join(tmpdir(), 'akg-safe-'))
  folders.push(path)
  return path
}
const filesContaining = (dir: string, text: string) => readdirSync(dir).filter((file) => readFileSync(join(dir, file), 'utf8').includes(text))

afterEach(() => {
  keychain.available = true
  keychain.backend = 'gnome_libsecret'
  for (const path of folders.splice(0)) rmSync(path, { recursive: true, force: true })
})

describe('Electron secret store', () => {
  it('keeps only ciphertext on disk and reads the key back', async () => {
    const dir = folder()
    const store = new SafeStorageSecretStore(dir)
    await store.set('provider:claude:apiKey', SECRET)
    expect(filesContaining(dir, SECRET)).toEqual([])
    expect(await new SafeStorageSecretStore(dir).get('provider:claude:apiKey')).toBe(SECRET)
    expect(store.description).toContain('safeStorage')
    await store.delete('provider:claude:apiKey')
    expect(await store.get('provider:claude:apiKey')).toBeNull()
  })

  it('falls back to the owner-only file, and says so, when the OS cannot encrypt', async () => {
    keychain.available = false
    const dir = folder()
    const store = new SafeStorageSecretStore(dir)
    await store.set('provider:claude:apiKey', SECRET)
    expect(filesContaining(dir, SECRET)).toEqual(['secrets.json'])
    expect(await store.get('provider:claude:apiKey')).toBe(SECRET)
    expect(store.description).toContain('0600')
  })

  it.runIf(process.platform === 'linux')('treats Linux basic_text (a fixed key) as no encryption', async () => {
    keychain.backend = 'basic_text'
    const dir = folder()
    await new SafeStorageSecretStore(dir).set('provider:claude:apiKey', SECRET)
    expect(filesContaining(dir, SECRET)).toEqual(['secrets.json'])
  })
})
