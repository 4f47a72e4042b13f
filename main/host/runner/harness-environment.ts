import { delimiter } from 'node:path'
import { filterEnvironment, HARNESS_ENVIRONMENT } from '../../../agents/contract/harness-boundary.ts'
import type { Settings } from '../settings.ts'

/**
 * The environment of a harness process the studio starts (a `serve` worker, `precompile`,
 * `detect`): the allow-list of the harness boundary, never the studio's own environment, so
 * provider keys, the session token and the studio's settings never reach it.
 */
export function harnessEnvironment(harnessDir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env = { ...filterEnvironment(process.env, HARNESS_ENVIRONMENT), ...filterEnvironment(extra, HARNESS_ENVIRONMENT) }
  env.PYTHONPATH = [harnessDir, env.PYTHONPATH].filter(Boolean).join(delimiter)
  env.PYTHONUNBUFFERED = '1'
  return env
}

/** The sandbox settings as the harness reads them (resources/harness/akg_harness/sandbox.py). */
export function sandboxVariables(settings: Pick<Settings, 'sandbox'>, dataDir: string): Record<string, string> {
  const sandbox = settings.sandbox
  const variables: Record<string, string> = {
    // The harness hides this folder from candidates; a data folder chosen another way than
    // AKG_STUDIO_HOME would otherwise be unknown to it.
    AKG_STUDIO_HOME: dataDir,
  }
  if (sandbox.allowUnsandboxed) variables.AKG_ALLOW_UNSANDBOXED = '1'
  const limits: Array<[keyof typeof sandbox, string]> = [
    ['memoryMb', 'AKG_SANDBOX_MEMORY_MB'],
    ['processes', 'AKG_SANDBOX_PROCESSES'],
    ['fileSizeMb', 'AKG_SANDBOX_FILE_SIZE_MB'],
    ['cpuSeconds', 'AKG_SANDBOX_CPU_SECONDS'],
  ]
  for (const [key, name] of limits) {
    const value = sandbox[key]
    if (typeof value === 'number') variables[name] = String(value)
  }
  return variables
}
