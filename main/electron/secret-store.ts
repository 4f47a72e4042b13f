import { safeStorage } from 'electron'
import { join } from 'node:path'
import { z } from 'zod'
import { JsonFile } from '../host/json-file.ts'
import { FileSecretStore, type SecretStore, type SecretStoreFactory } from '../host/providers/secret-store.ts'

const cipherSchema = z.record(z.string(), z.string())

/**
 * API keys encrypted with Electron's safeStorage (Keychain on macOS, DPAPI on Windows, the
 * Secret Service or KWallet on Linux), stored as base64 ciphertext in a 0600 file. Where the OS
 * offers no encryption it falls back to the plain 0600 file that browser mode uses, and says so.
 */
export class SafeStorageSecretStore implements SecretStore {
  private readonly file: JsonFile<typeof cipherSchema>
  private readonly fallback: FileSecretStore

  constructor(dataDir: string) {
    this.file = new JsonFile(join(dataDir, 'secrets.safe-storage.json'), cipherSchema, () => ({}), 0o600)
    this.fallback = new FileSecretStore(dataDir)
  }

  get description(): string {
    return this.encrypted() ? 'encrypted by the operating system (Electron safeStorage)' : this.fallback.description
  }

  async get(name: string): Promise<string | null> {
    const cipher = (await this.file.read())[name]
    if (cipher !== undefined && this.encrypted()) return safeStorage.decryptString(Buffer.from(cipher, 'base64'))
    return this.fallback.get(name)
  }

  async set(name: string, value: string): Promise<void> {
    if (!this.encrypted()) return this.fallback.set(name, value)
    const cipher = safeStorage.encryptString(value).toString('base64')
    await this.file.update((current) => ({ ...current, [name]: cipher }))
    await this.fallback.delete(name)
  }

  async delete(name: string): Promise<void> {
    if (name in (await this.file.read())) await this.file.update(({ [name]: _removed, ...rest }) => rest)
    await this.fallback.delete(name)
  }

  // Linux without a keyring gives "basic_text": a fixed key, no better than the 0600 file.
  private encrypted(): boolean {
    if (!safeStorage.isEncryptionAvailable()) return false
    return process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'
  }
}

export const safeStorageSecretStore: SecretStoreFactory = (dataDir) => new SafeStorageSecretStore(dataDir)
