import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'

type BenchRoutes = 'bench.start' | 'bench.list' | 'bench.get' | 'bench.export'

/** Benches live in host.bench (main/host/bench); these handlers only map routes onto it. */
export const benchHandlers = (host: Host): Pick<Handlers, BenchRoutes> => ({
  'bench.start': (input) => host.bench.start(input),
  'bench.list': () => host.bench.list(),
  'bench.get': (input) => host.bench.get(input.benchId),
  'bench.export': (input) => host.bench.export(input.benchId, input.format),
})
