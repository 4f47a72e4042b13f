import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'

export const modelHandlers = (host: Host): Pick<Handlers, 'model.profile' | 'model.extract' | 'model.winners' | 'model.apply' | 'model.compare'> => ({
  'model.profile': (input) => host.model.profile(input),
  'model.extract': (input) => host.model.extract(input),
  'model.winners': (input) => host.model.winners(input),
  'model.apply': (input) => host.model.apply(input),
  'model.compare': (input) => host.model.compare(input),
})
