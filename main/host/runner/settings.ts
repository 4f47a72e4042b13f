import { z } from 'zod'
import { rayClusterSchema, sshHostSchema, type RayClusterSettings, type SshHostSettings } from '../../../agents/contract/runner.ts'

/**
 * The runner's section of settings.json. A value that does not parse (an older or newer
 * version's) is not fatal: it reads as unset. SSH hosts and the Ray cluster are kept as
 * written and checked when read, so an entry this version cannot read is not lost.
 */
export const runnerSettings = {
  /** Local CPU worker slots; unset means one per two cores. */
  runner: z
    .object({ cpuSlots: z.number().int().positive().optional().catch(undefined) })
    .passthrough()
    .optional()
    .catch(undefined),
  /** SSH hosts as saved; readSshHosts gives those that parse. */
  sshHosts: z.array(z.unknown()).optional().catch(undefined),
  /** The Ray cluster as saved; readRayCluster gives it when it parses. */
  rayCluster: z.unknown().optional(),
}

/** The SSH hosts saved in settings; an entry that no longer parses is skipped, not fatal. */
export function readSshHosts(settings: { sshHosts?: unknown[] | undefined }): SshHostSettings[] {
  return (settings.sshHosts ?? []).flatMap((entry) => {
    const parsed = sshHostSchema.safeParse(entry)
    return parsed.success ? [parsed.data] : []
  })
}

/** The Ray cluster saved in settings, or null (none, or an entry that no longer parses). */
export function readRayCluster(settings: { rayCluster?: unknown }): RayClusterSettings | null {
  const parsed = rayClusterSchema.safeParse(settings.rayCluster)
  return parsed.success ? parsed.data : null
}
