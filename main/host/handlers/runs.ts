import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'

type RunRoutes =
  'runs.start' | 'runs.list' | 'runs.unreadable' | 'runs.get' | 'runs.events' | 'runs.cancel' | 'runs.resume' | 'runs.fork' | 'runs.candidate' | 'migrate.start'

/** Runs live in host.runs (main/host/runs); these handlers only map routes onto it. */
export const runHandlers = (host: Host): Pick<Handlers, RunRoutes> => ({
  'runs.start': (input) => host.runs.start(input),
  'runs.list': (input) => host.runs.list(input.limit),
  'runs.unreadable': () => host.runs.unreadable(),
  'runs.get': (input) => host.runs.get(input.runId),
  'runs.events': (input) => host.runs.events(input.runId, input.fromSeq, input.limit),
  'runs.cancel': (input) => host.runs.cancel(input.runId),
  'runs.resume': (input) => host.runs.resume(input.runId),
  'runs.fork': (input) => host.runs.fork(input),
  'runs.candidate': (input) => host.runs.candidate(input.runId, input.candidateId),
  'migrate.start': ({ sourcePath, sourceDsl, ...rest }) => host.runs.start({ ...rest, workflow: 'migrate', migrate: { sourcePath, sourceDsl } }),
})
