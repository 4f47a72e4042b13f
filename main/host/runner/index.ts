import { join } from 'node:path'
import type { RayClusterSettings, SshHostSettings } from '../../../agents/contract/runner.ts'
import { RayWorkerHost } from '../cluster/ray-host.ts'
import type { HostBasics } from '../services.ts'
import { SshWorkerHost } from '../ssh/ssh-host.ts'
import { harnessEnvironment, sandboxVariables } from './harness-environment.ts'
import { HarnessRunner } from './harness-runner.ts'
import { LocalWorkerHost } from './local-host.ts'

export { HarnessRunner } from './harness-runner.ts'

/** What a worker host is built from: the processes it spawns, the harness, the sandbox settings. */
export type WorkerHostDependencies = Pick<HostBasics, 'paths' | 'processes' | 'settings' | 'python'>

/** What the host's runner is built from: its worker hosts' needs, and the bus its status goes out on. */
export type RunnerDependencies = WorkerHostDependencies & Pick<HostBasics, 'events'>

import { readRayCluster, readSshHosts } from './settings.ts'

export { readRayCluster, readSshHosts }

/** `runner.cpuSlots` from settings (runner/settings.ts); null means one per two cores. */
async function configuredCpuSlots(host: Pick<HostBasics, 'settings'>): Promise<number | null> {
  return (await host.settings.read()).runner?.cpuSlots ?? null
}

/** Ray's own settings (RAY_ADDRESS, RAY_TMPDIR...) reach the cluster driver; nothing else of the studio's. */
function rayVariables(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[0].startsWith('RAY_') && entry[1] !== undefined && !/KEY|TOKEN|SECRET|PASSW/i.test(entry[0]),
    ),
  )
}

export const rayWorkerHost = (host: WorkerHostDependencies, settings: RayClusterSettings): RayWorkerHost =>
  new RayWorkerHost({
    processes: host.processes,
    python: () => host.python(),
    harnessDir: host.paths.harness,
    settings,
    env: async () => ({ ...harnessEnvironment(host.paths.harness, sandboxVariables(await host.settings.read(), host.paths.dataDir)), ...rayVariables() }),
    cwd: host.paths.appRoot,
  })

export const sshWorkerHost = (host: WorkerHostDependencies, config: SshHostSettings): SshWorkerHost =>
  new SshWorkerHost(config, host.processes, host.paths.harness, join(host.paths.appRoot, 'main', 'host', 'ssh', 'relay.py'), async () =>
    sandboxVariables(await host.settings.read(), host.paths.dataDir),
  )

/**
 * The host's Runner: warm harness workers on this machine and on the SSH hosts in settings.
 * Status changes reach every front door as `runner-status` events.
 */
export function createHostRunner(host: RunnerDependencies): HarnessRunner {
  const local = new LocalWorkerHost({
    processes: host.processes,
    python: () => host.python(),
    harnessDir: host.paths.harness,
    cpuSlots: () => configuredCpuSlots(host),
    variables: async () => sandboxVariables(await host.settings.read(), host.paths.dataDir),
    cwd: host.paths.appRoot,
  })
  const runner = new HarnessRunner({ hosts: [local], onStatus: (status) => host.events.emit('runner-status', status) })
  // SSH hosts are only connected when an evaluation or "Start workers" needs them.
  void host.settings.read().then(
    (settings) => {
      readSshHosts(settings).forEach((config) => runner.addHost(sshWorkerHost(host, config)))
      const cluster = readRayCluster(settings)
      if (cluster) runner.addHost(rayWorkerHost(host, cluster))
    },
    () => undefined,
  )
  return runner
}
