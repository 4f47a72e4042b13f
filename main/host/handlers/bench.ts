import { AppError } from '../../../agents/contract/index.ts'
import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'

type BenchRoutes = 'bench.start' | 'bench.list' | 'bench.get' | 'bench.export'

const notYet = async (): Promise<never> => {
  throw new AppError('NOT_AVAILABLE', 'Benches are not available in this build yet: the bench runner is being wired in.')
}

/** Interim: the contract is fixed so the UI can build on it; the bench runner replaces these handlers. */
export const benchHandlers = (_host: Host): Pick<Handlers, BenchRoutes> => ({
  'bench.start': notYet,
  'bench.list': notYet,
  'bench.get': notYet,
  'bench.export': notYet,
})
