import { afterAll, describe, expect, it } from 'vitest'
import { routeNames, routes } from '../../agents/contract/index.ts'
import { temporaryHost } from '../../test/helpers/temp-host.ts'
import { dispatch } from './dispatch.ts'

const context = { transport: 'cli' as const }
const setup = temporaryHost()
afterAll(() => setup.dispose())

describe('contract validation', () => {
  it.each(routeNames)('%s refuses a field it does not know, naming it', async (route) => {
    const result = await dispatch(setup.handlers, route, { surpriseField: 1 }, context)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('VALIDATION')
    expect(result.error.message).toContain('surpriseField')
    expect(result.error.message).toContain(route)
  })

  it.each(routeNames)('%s refuses input that is not an object', async (route) => {
    const result = await dispatch(setup.handlers, route, 'not an object', context)
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it('names the field whose type is wrong', async () => {
    const result = await dispatch(setup.handlers, 'tasks.open', { path: 42 }, context)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('VALIDATION')
    expect((result.error.detail as { fields: string[] }).fields).toContain('path')
    expect(result.error.message).toMatch(/^Invalid input for tasks\.open: path:/)
  })

  it('answers an unknown route with UNKNOWN_ROUTE instead of throwing', async () => {
    const result = await dispatch(setup.handlers, 'tasks.delete_everything', {}, context)
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ROUTE' } })
  })

  it('every route schema is strict, so the generic checks above mean something', () => {
    for (const route of routeNames) {
      expect(routes[route].input.safeParse({ surpriseField: 1 }).success, route).toBe(false)
    }
  })

  it('reports app.info with the transport the request came through', async () => {
    const result = await dispatch(setup.handlers, 'app.info', {}, { transport: 'browser' })
    expect(result).toMatchObject({ ok: true, data: { name: 'AKG Studio', transport: 'browser' } })
  })
})
