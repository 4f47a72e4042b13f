import { chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { JsonFile } from '../json-file.ts'

/**
 * Where API keys live, apart from settings: read by the host when it builds a client, never
 * sent to the UI. Electron passes one backed by the OS keychain (main/electron/secret-store.ts).
 */
export interface SecretStore {
  /** How the secrets are protected, for the settings screen ("file readable only by you", "OS keychain"). */
  readonly description: string
  get(name: string): Promise<string | null>
  set(name: string, value: string): Promise<void>
  delete(name: string): Promise<void>
}

/** Builds the secret store for a data folder; the host calls it with its resolved data folder. */
export type SecretStoreFactory = (dataDir: string) => SecretStore

export const SECRETS_FILE = 'secrets.json'
const secretsSchema = z.record(z.string(), z.string())

/**
 * Browser mode and CLI: a JSON file in the data folder with mode 0600 (only the user can read it),
 * separate from settings.json so settings can be shared or attached to a bug report safely.
 */
export class FileSecretStore implements SecretStore {
  readonly description = 'a file only your user can read (mode 0600) in the data folder'
  private readonly file: JsonFile<typeof secretsSchema>

  constructor(dataDir: string, fileName = SECRETS_FILE) {
    this.file = new JsonFile(join(dataDir, fileName), secretsSchema, () => ({}), 0o600)
  }

  get path(): string {
    return this.file.path
  }

  async get(name: string): Promise<string | null> {
    return (await this.file.read())[name] ?? null
  }

  async set(name: string, value: string): Promise<void> {
    await this.file.update((current) => ({ ...current, [name]: value }))
    // The mode of a file created under a loose umask, or copied in by hand, is tightened on each write.
    await chmod(this.file.path, 0o600)
  }

  async delete(name: string): Promise<void> {
    const current = await this.file.read()
    if (!(name in current)) return
    await this.file.update(({ [name]: _removed, ...rest }) => rest)
  }
}

export const fileSecretStore: SecretStoreFactory = (dataDir) => new FileSecretStore(dataDir)

/** The secret's name for a provider's API key. */
export const apiKeyName = (provider: string): string => `provider:${provider}:apiKey`
