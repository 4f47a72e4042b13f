import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'
import { appHandlers } from './app.ts'
import { benchHandlers } from './bench.ts'
import { cacheHandlers } from './cache.ts'
import { modelHandlers } from './model.ts'
import { providerHandlers } from './providers.ts'
import { runnerHandlers } from './runner.ts'
import { runHandlers } from './runs.ts'
import { sessionHandlers } from './sessions.ts'
import { taskHandlers } from './tasks.ts'
import { toolchainHandlers } from './toolchain.ts'
import { tunerHandlers } from './tuner.ts'
import { workbenchHandlers } from './workbench.ts'

/** The one handler map every front door binds. `satisfies` makes a missing or extra route a type error. */
export function createHandlers(host: Host): Handlers {
  return {
    ...appHandlers(host),
    ...toolchainHandlers(host),
    ...taskHandlers(host),
    ...runHandlers(host),
    ...benchHandlers(host),
    ...cacheHandlers(host),
    ...runnerHandlers(host),
    ...sessionHandlers(host),
    ...tunerHandlers(host),
    ...providerHandlers(host),
    ...modelHandlers(host),
    ...workbenchHandlers(host),
  } satisfies Handlers
}
