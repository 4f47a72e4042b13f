import { join } from 'node:path'
import { z } from 'zod'
import { sandboxSettingsSchema } from '../../agents/contract/toolchain.ts'
import { JsonFile } from './json-file.ts'

/** User settings that persist between launches. Secrets never live here (see the key store). */
export const settingsSchema = z
  .object({
    /** The Python interpreter whose environment runs the harness; null means auto-detect. */
    python: z.string().nullable().default(null),
    /** Task files the user opened, most recent first. */
    openedTasks: z.array(z.string()).default([]),
    /** Task folders (KernelBench checkouts) the user opened, most recent first. */
    openedFolders: z.array(z.string()).default([]),
    theme: z.enum(['dark', 'light']).default('dark'),
    sandbox: sandboxSettingsSchema.default({ allowUnsandboxed: false }),
  })
  .passthrough()

export type Settings = z.output<typeof settingsSchema>

export const createSettingsFile = (dataDir: string): SettingsFile =>
  new JsonFile(join(dataDir, 'settings.json'), settingsSchema, () => settingsSchema.parse({}))

/** The settings file every service reads and updates through. */
export type SettingsFile = JsonFile<typeof settingsSchema>
