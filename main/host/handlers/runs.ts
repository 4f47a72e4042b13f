import { AppError } from '../../../agents/contract/index.ts'
import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'

type RunRoutes = 'runs.start' | 'runs.list' | 'runs.get' | 'runs.events' | 'runs.cancel' | 'runs.resume' | 'runs.fork' | 'runs.candidate' | 'migrate.start'

const notYet = async (): Promise<never> => {
  throw new AppError('NOT_AVAILABLE', 'Runs are not available in this build yet: the run engine is being wired in.')
}

/** Interim: the contract is fixed so the UI can build on it; the run store replaces these handlers. */
export const runHandlers = (_host: Host): Pick<Handlers, RunRoutes> => ({
  'runs.start': notYet,
  'runs.list': notYet,
  'runs.get': notYet,
  'runs.events': notYet,
  'runs.cancel': notYet,
  'runs.resume': notYet,
  'runs.fork': notYet,
  'runs.candidate': notYet,
  'migrate.start': notYet,
})
