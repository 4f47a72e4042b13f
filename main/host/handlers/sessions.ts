import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'

type SessionRoutes = 'sessions.open' | 'sessions.write' | 'sessions.resize' | 'sessions.ack' | 'sessions.close' | 'sessions.list' | 'sessions.attach'

export const sessionHandlers = (host: Host): Pick<Handlers, SessionRoutes> => ({
  'sessions.open': async (input) => host.sessions.open(input),
  'sessions.write': async ({ id, data }) => {
    host.sessions.get(id).write(data)
    return { written: data.length }
  },
  'sessions.resize': async ({ id, cols, rows }) => {
    const session = host.sessions.get(id)
    session.resize(cols, rows)
    return session.info()
  },
  'sessions.ack': async ({ id, characters }) => {
    const session = host.sessions.get(id)
    session.acknowledge(characters)
    return { paused: session.info().paused }
  },
  'sessions.close': ({ id }) => host.sessions.close(id),
  'sessions.list': async () => host.sessions.list(),
  'sessions.attach': async ({ id }) => {
    const session = host.sessions.get(id)
    return { session: session.info(), scrollback: session.recentOutput() }
  },
})
