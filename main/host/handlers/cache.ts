import type { CacheEntry } from '../../../agents/contract/index.ts'
import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'

type CacheRoutes = 'cache.list' | 'cache.clear'

const scopeArgs = (input: { task?: string; kinds?: string[] }): string[] => [
  ...(input.task ? ['--task', input.task] : []),
  ...(input.kinds ?? []).flatMap((kind) => ['--kind', kind]),
]

/** The harness owns its cache; these routes ask it (`python -m akg_harness cache ...`). */
export const cacheHandlers = (host: Host): Pick<Handlers, CacheRoutes> => ({
  'cache.list': async (input) => {
    const report = (await host.harnessJson(['cache', 'list', ...scopeArgs(input)])) as { entries?: CacheEntry[] }
    return { entries: report.entries ?? [] }
  },
  'cache.clear': async (input) => {
    const report = (await host.harnessJson(['cache', 'clear', ...scopeArgs(input)])) as { removed?: string[] }
    return { removed: report.removed ?? [] }
  },
})
