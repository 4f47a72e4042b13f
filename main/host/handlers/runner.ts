import { AppError } from '../../../agents/contract/result.ts'
import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'
import { readSshHosts, sshWorkerHost } from '../runner/index.ts'

export const runnerHandlers = (host: Host): Pick<Handlers, 'runner.status' | 'runner.addHost' | 'runner.removeHost'> => ({
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
})
