import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'

export const tunerHandlers = (host: Host): Pick<Handlers, 'tuner.start' | 'tuner.get' | 'tuner.cancel' | 'tuner.list' | 'tuner.presets'> => ({
  'tuner.start': (input) => host.tuner.start(input),
  'tuner.get': async (input) => host.tuner.get(input.id),
  'tuner.cancel': (input) => host.tuner.cancel(input.id),
  'tuner.list': async () => host.tuner.list(),
  'tuner.presets': () => host.tuner.presets(),
})
