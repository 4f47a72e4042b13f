import { join } from 'node:path'
import { z } from 'zod'
import { JsonFile } from './json-file.ts'
import { runnerSettings } from './runner/settings.ts'
import { taskSettings } from './tasks/settings.ts'
import { toolchainSettings } from './toolchain/settings.ts'

/**
 * User settings that persist between launches: one schema, each section declared beside the
 * service that owns it. Keys this version does not know pass through, so a newer version's
 * settings survive. Secrets never live here (see the key store).
 */
export const settingsSchema = z
  .object({
    ...taskSettings,
    ...toolchainSettings,
    ...runnerSettings,
    /** The window's colour scheme. */
    theme: z.enum(['dark', 'light']).default('dark'),
  })
  .passthrough()

export type Settings = z.output<typeof settingsSchema>

export const createSettingsFile = (dataDir: string): SettingsFile =>
  new JsonFile(join(dataDir, 'settings.json'), settingsSchema, () => settingsSchema.parse({}))

/** The settings file every service reads and updates through. */
export type SettingsFile = JsonFile<typeof settingsSchema>
