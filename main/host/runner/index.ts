import type { Host } from '../host.ts'
import { HarnessRunner } from './harness-runner.ts'
import { LocalWorkerHost } from './local-host.ts'

export { HarnessRunner } from './harness-runner.ts'

/** Reads `runner.cpuSlots` from the settings file (kept by passthrough); null means one per two cores. */
async function configuredCpuSlots(host: Host): Promise<number | null> {
  const settings = (await host.settings.read()) as { runner?: { cpuSlots?: unknown } }
  const value = settings.runner?.cpuSlots
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null
}

/**
 * The host's Runner: warm harness workers on this machine, and on the SSH hosts added later.
 * Status changes reach every front door as `runner-status` events.
 */
export function createHostRunner(host: Host): HarnessRunner {
  const local = new LocalWorkerHost({
    processes: host.processes,
    python: () => host.python(),
    harnessDir: host.paths.harness,
    cpuSlots: () => configuredCpuSlots(host),
    cwd: host.paths.appRoot,
  })
  return new HarnessRunner({ hosts: [local], onStatus: (status) => host.events.emit('runner-status', status) })
}
