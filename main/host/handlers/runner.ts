import { AppError } from '../../../agents/contract/result.ts'
import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'
import type { ClusterStatus } from '../../../agents/contract/runner.ts'
import { RayWorkerHost } from '../cluster/ray-host.ts'
import { rayWorkerHost, readRayCluster, readSshHosts, sshWorkerHost } from '../runner/index.ts'

/** Asks the configured cluster for its nodes now; an unreachable cluster is a status, not an error. */
async function clusterStatus(host: Host): Promise<ClusterStatus> {
  const settings = readRayCluster(await host.settings.read())
  const cluster = host.runner.host('ray')
  if (!settings || !(cluster instanceof RayWorkerHost)) return { address: settings?.address ?? null, inventory: null, error: settings ? 'not connected' : null }
  try {
    return { address: settings.address, inventory: await cluster.inventory(), error: null }
  } catch (error) {
    return { address: settings.address, inventory: null, error: error instanceof Error ? error.message : String(error) }
  }
}

export const runnerHandlers = (
  host: Host,
): Pick<Handlers, 'runner.status' | 'runner.addHost' | 'runner.removeHost' | 'runner.connectCluster' | 'runner.disconnectCluster' | 'runner.cluster'> => ({
  'runner.status': async (input) => {
    if (input.discover) await host.runner.discover()
    return host.runner.status()
  },
  'runner.addHost': async (config) => {
    await host.settings.update((current) => {
      const others = readSshHosts(current).filter((entry) => entry.name !== config.name)
      return { ...current, sshHosts: [...others, config] }
    })
    await host.runner.removeHost(config.name)
    host.runner.addHost(sshWorkerHost(host, config))
    // Discovery reaches the host now, so a wrong address or a missing Python shows at once.
    await host.runner.discover({ retryFailed: true, only: config.name })
    return host.runner.status()
  },
  'runner.removeHost': async ({ name }) => {
    if (name === 'local') throw new AppError('RUNNER_LOCAL_HOST', 'This machine cannot be removed; choose its environment in Toolchains instead.')
    await host.settings.update((current) => ({ ...current, sshHosts: readSshHosts(current).filter((entry) => entry.name !== name) }))
    await host.runner.removeHost(name)
    return host.runner.status()
  },
  'runner.connectCluster': async (config) => {
    await host.settings.update((current) => ({ ...current, rayCluster: config }))
    await host.runner.removeHost('ray')
    host.runner.addHost(rayWorkerHost(host, config))
    // Reaching the cluster now shows a wrong address or a Ray version mismatch at once.
    await host.runner.discover({ retryFailed: true, only: 'ray' })
    return clusterStatus(host)
  },
  'runner.disconnectCluster': async () => {
    await host.settings.update((current) => {
      const { rayCluster: _dropped, ...rest } = current as Record<string, unknown>
      return rest as typeof current
    })
    await host.runner.removeHost('ray')
    return host.runner.status()
  },
  'runner.cluster': async () => clusterStatus(host),
})
