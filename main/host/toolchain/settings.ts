import { z } from 'zod'
import { sandboxSettingsSchema } from '../../../agents/contract/toolchain.ts'

/** The toolchain's section of settings.json: the environment that runs the harness, and how it is sandboxed. */
export const toolchainSettings = {
  /** The Python interpreter whose environment runs the harness; null means auto-detect. */
  python: z.string().nullable().default(null),
  sandbox: sandboxSettingsSchema.default({ allowUnsandboxed: false }),
  /** Interpreters the user added by path; a value that does not parse reads as none added. */
  toolchain: z
    .object({ added: z.array(z.string()).default([]) })
    .passthrough()
    .optional()
    .catch(undefined),
}
