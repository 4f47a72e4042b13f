import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'

type ProviderRoutes =
  | 'providers.list'
  | 'providers.save'
  | 'providers.remove'
  | 'providers.test'
  | 'providers.models'
  | 'providers.pull'
  | 'providers.roles'
  | 'providers.setRoles'
  | 'providers.pending'
  | 'providers.answer'

/** Provider settings; secrets go in through providers.save and never come back out. */
export const providerHandlers = (host: Host): Pick<Handlers, ProviderRoutes> => ({
  'providers.list': () => host.providers.list(),
  'providers.save': (input) => host.providers.save(input),
  'providers.remove': async (input) => ({ removed: await host.providers.remove(input.name) }),
  'providers.test': (input) => host.providers.test(input.name),
  'providers.models': (input) => host.providers.models(input.name),
  'providers.pull': (input) => host.providers.pull(input.name, input.model),
  'providers.roles': () => host.providers.roles(),
  'providers.setRoles': (input) => host.providers.setRoles(input),
  'providers.pending': async () => host.providers.pending(),
  'providers.answer': (input) => host.providers.answer(input.id, input.text),
})
