import { describe, expect, it, vi } from 'vitest'
import { temporaryHost } from '../../test/helpers/temp-host.ts'
import { ServiceList } from './services.ts'

describe('the service list', () => {
  it('stops services in reverse creation order, skipping those that hold nothing', async () => {
    const stopped: string[] = []
    const services = new ServiceList()
    for (const name of ['processes', 'settings', 'runner', 'tuner', 'runs']) {
      services.add(name, () => ({ name }), name === 'settings' ? undefined : (service) => void stopped.push(service.name))
    }
    expect(services.names()).toEqual(['processes', 'settings', 'runner', 'tuner', 'runs'])
    expect(services.stopOrder()).toEqual(['runs', 'tuner', 'runner', 'processes'])
    await services.stop()
    expect(stopped).toEqual(['runs', 'tuner', 'runner', 'processes'])
  })

  it('keeps stopping the rest when one stop throws or rejects', async () => {
    const stopped: string[] = []
    const services = new ServiceList()
    services.add(
      'first',
      () => null,
      () => void stopped.push('first'),
    )
    services.add(
      'rejects',
      () => null,
      async () => {
        stopped.push('rejects')
        throw new Error('stuck')
      },
    )
    services.add(
      'throws',
      () => null,
      () => {
        stopped.push('throws')
        throw new Error('broken')
      },
    )
    services.add(
      'last',
      () => null,
      () => void stopped.push('last'),
    )
    await expect(services.stop()).resolves.toBeUndefined()
    expect(stopped).toEqual(['last', 'throws', 'rejects', 'first'])
  })

  it('stops once, however often it is asked', async () => {
    const stop = vi.fn(async () => undefined)
    const services = new ServiceList()
    services.add('only', () => null, stop)
    await Promise.all([services.stop(), services.stop()])
    await services.stop()
    expect(stop).toHaveBeenCalledTimes(1)
  })

  it('refuses a second service of the same name', () => {
    const services = new ServiceList()
    services.add('runs', () => null)
    expect(() => services.add('runs', () => null)).toThrow(/already/)
  })
})

describe('the host shutdown', () => {
  it('stops bench, runs, tuner, the terminals, the runner, then the process sweep, even when one of them fails', async () => {
    const setup = temporaryHost()
    const { host } = setup
    expect(host.services.stopOrder()).toEqual(['bench', 'runs', 'tuner', 'sessions', 'runner', 'processes'])
    const order: string[] = []
    vi.spyOn(host.bench, 'stop').mockImplementation(async () => void order.push('bench'))
    vi.spyOn(host.runs, 'stop').mockImplementation(async () => void order.push('runs'))
    vi.spyOn(host.tuner, 'stop').mockImplementation(async () => {
      order.push('tuner')
      throw new Error('the tuner could not stop')
    })
    const sessionsStop = host.sessions.shutdown.bind(host.sessions)
    vi.spyOn(host.sessions, 'shutdown').mockImplementation(async () => (order.push('sessions'), sessionsStop()))
    const runnerStop = host.runner.stop.bind(host.runner)
    vi.spyOn(host.runner, 'stop').mockImplementation(async () => (order.push('runner'), runnerStop()))
    const sweep = host.processes.shutdown.bind(host.processes)
    vi.spyOn(host.processes, 'shutdown').mockImplementation(async () => (order.push('processes'), sweep()))
    await setup.dispose()
    expect(order).toEqual(['bench', 'runs', 'tuner', 'sessions', 'runner', 'processes'])
  })
})
