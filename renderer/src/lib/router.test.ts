import { describe, expect, it } from 'vitest'
import { locationQueue, type Location } from './router.ts'

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {}
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

describe('locationQueue', () => {
  it('lets a later location win over one whose run was still loading, and holds the URL until both are done', async () => {
    const slowRun = deferred()
    const shown: string[] = []
    const queue = locationQueue(async (location: Location, current) => {
      if (location.runId) await slowRun.promise
      if (!current()) return
      shown.push(location.view)
    })
    const reload = queue.go({ view: 'run', runId: 'r1' })
    expect(queue.applying()).toBe(true)
    const back = queue.go({ view: 'welcome' })
    await back
    expect(shown).toEqual(['welcome'])
    expect(queue.applying()).toBe(true)
    slowRun.resolve()
    await reload
    expect(shown).toEqual(['welcome'])
    expect(queue.applying()).toBe(false)
  })

  it('applies each location in turn when none overlap', async () => {
    const shown: string[] = []
    const queue = locationQueue(async (location: Location, current) => {
      if (current()) shown.push(location.view)
    })
    await queue.go({ view: 'runs' })
    await queue.go({ view: 'welcome' })
    expect(shown).toEqual(['runs', 'welcome'])
    expect(queue.applying()).toBe(false)
  })
})
