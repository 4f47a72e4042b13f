import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'

export const taskHandlers = (host: Host): Pick<Handlers, 'tasks.list' | 'tasks.read' | 'tasks.open' | 'tasks.openFolder' | 'tasks.folders'> => ({
  'tasks.list': () => host.tasks.list(),
  'tasks.read': (input) => host.tasks.read(input),
  'tasks.open': (input) => host.tasks.open(input.path),
  'tasks.openFolder': (input) => host.tasks.openFolder(input.path),
  'tasks.folders': () => host.tasks.folders(),
})
