import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'

export const runnerHandlers = (host: Host): Pick<Handlers, 'runner.status'> => ({
  'runner.status': async (input) => {
    if (input.discover) await host.runner.discover()
    return host.runner.status()
  },
})
