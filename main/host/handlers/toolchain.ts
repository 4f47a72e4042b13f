import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'

export const toolchainHandlers = (host: Host): Pick<Handlers, 'toolchain.detect'> => ({
  'toolchain.detect': (input) => host.detectToolchain(input),
})
