import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot, temporaryHost } from '../../../test/helpers/temp-host.ts'

/**
 * The tuner over the real harness on this machine's CPU: Triton through its interpreter (every
 * configuration checked for correctness, nothing timed), and C++ with compile-time tunables (timed).
 */
const fixtures = join(repoRoot, 'test', 'fixtures', 'tuner')
const studio = temporaryHost()
afterAll(() => studio.dispose())

describe('tuning through the real harness', () => {
  it('checks every Triton configuration under the interpreter and reports the block sizes that skip elements', async () => {
    const started = await studio.host.tuner.start({
      task: join(repoRoot, 'resources', 'tasks', 'level1', '19_ReLU.py'),
      candidate: join(fixtures, 'relu_triton.py'),
      device: 'cpu',
    })
    expect(started.strategy.preset).toBe('triton-cpu-interpreter')
    const session = await studio.host.tuner.wait(started.id)
    expect(session.state).toBe('finished')
    expect(session.records).toHaveLength(12)
    const byBlock = (status: string) =>
      [...new Set(session.records.filter((record) => record.status === status).map((record) => record.params.BLOCK_SIZE))].sort((a, b) => Number(a) - Number(b))
    expect(byBlock('passed')).toEqual([1024, 2048])
    expect(byBlock('failed')).toEqual([256, 512])
    const failure = session.records.find((record) => record.status === 'failed')!
    expect(failure.verdict).toBe('incorrect')
    expect(failure.error?.message).toMatch(/out of tolerance/)
    expect(session.best).toBeNull()
  }, 300_000)

  it('tunes a C++ kernel whose chunk size, schedule and thread count are macros, and writes the best as a new candidate', async () => {
    // Each configuration is a fresh C++ extension build (about 45 s on two cores): two evaluations only.
    const started = await studio.host.tuner.start({
      task: join(repoRoot, 'resources', 'tasks', 'level1', '19_ReLU.py'),
      candidate: join(fixtures, 'relu_cpp.py'),
      device: 'cpu',
      strategy: 'exhaustive',
      budget: { evaluations: 2 },
    })
    expect(started.dsl).toBe('cpp')
    expect(started.space.size).toBe(12)
    const session = await studio.host.tuner.wait(started.id)
    expect(session.records.map((record) => [record.status, record.error?.message ?? null])).toEqual([
      ['passed', null],
      ['passed', null],
    ])
    expect(session.records.map((record) => record.params)).toEqual([
      { CHUNK: 4096, SCHEDULE: 'static', NUM_THREADS: 2 },
      { CHUNK: 1024, SCHEDULE: 'static', NUM_THREADS: 1 },
    ])
    expect(session.records.every((record) => record.latencyMs! > 0)).toBe(true)
    expect(session.stopReason).toBe('budget-evaluations')
    const { readFileSync } = await import('node:fs')
    const best = readFileSync(session.bestCandidatePath!, 'utf8')
    expect(best).toContain(`#define CHUNK ${session.best!.params.CHUNK}  // akg:tune [1024, 4096, 16384]`)
    expect(best).toContain(`#define NUM_THREADS ${session.best!.params.NUM_THREADS}  // akg:tune [1, 2]`)
  }, 600_000)
})
