import { z } from 'zod'
import { route } from './define.ts'

/** One tool or package: its version when found, otherwise why it is missing and how to get it. */
export interface ToolStatus {
  name: string
  kind: 'interpreter' | 'python-package' | 'executable'
  found: boolean
  version: string | null
  path: string | null
  /** Why it is missing or unusable, in words a user can act on. */
  reason: string | null
  /** The command that would install it, where one is known. */
  install: string | null
}

/** What toolchain.detect reports for one Python environment and the executables on PATH. */
export interface ToolchainReport {
  detectedAt: string
  python: ToolStatus
  packages: ToolStatus[]
  executables: ToolStatus[]
  durationMs: number
}

export const toolchainRoutes = {
  'toolchain.detect': route<ToolchainReport>()(
    z
      .object({
        /** A Python interpreter to inspect instead of the configured one. */
        python: z.string().min(1).optional(),
        /** Re-run detection instead of returning the cached report. */
        refresh: z.boolean().optional(),
      })
      .strict(),
  ),
}
