import { describe, expect, it } from 'vitest'
import results from '../../resources/tuner/bench/results/h200-confirm.json'
import { replayTable, type MeasuredKernel } from './replay.ts'

// Exhaustive tables measured on an H200 (docs/benchmarks/tuner.md, run 3). Each replayed evaluation
// returns the latency exhaustive measured; a quarter of the configurations in all, 3 of them spent
// on the confirmation round, as the shipped presets do.
const kernels = (results as unknown as { kernels: Record<string, MeasuredKernel> }).kernels
const seeds = 100

describe('replays over measured tables (H200, run 3)', () => {
  it('softmax: the Gaussian-process search is within 3 % on at least 80 of 100 seeds, twice as often as random search', async () => {
    const softmax = kernels.softmax!
    const gp = await replayTable(softmax, (seed) => ({ kind: 'gp', seed, initial: 5, localEvery: 1 }), { seeds, confirm: true })
    const random = await replayTable(softmax, (seed) => ({ kind: 'random', seed }), { seeds, confirm: true })
    expect(gp.budget).toBe(15)
    expect(gp.withinCount).toBe(2)
    expect(gp.hits).toBeGreaterThanOrEqual(80)
    expect(gp.hits).toBeGreaterThanOrEqual(2 * random.hits)
    expect(gp.meanRatio).toBeLessThan(random.meanRatio)
  })

  it('matmul: the Gaussian-process search beats random search and the Parzen estimator, in hits and in mean ratio', async () => {
    const matmul = kernels.matmul!
    const gp = await replayTable(matmul, (seed) => ({ kind: 'gp', seed, initial: 5, localEvery: 1 }), { seeds, confirm: true })
    const tpe = await replayTable(matmul, (seed) => ({ kind: 'tpe', seed, initial: 8, gamma: 0.25, bandwidth: 1 }), { seeds, confirm: true })
    const random = await replayTable(matmul, (seed) => ({ kind: 'random', seed }), { seeds, confirm: true })
    expect(gp.budget).toBe(17)
    expect(gp.hits).toBeGreaterThan(random.hits)
    expect(gp.hits).toBeGreaterThan(tpe.hits)
    expect(gp.meanRatio).toBeLessThan(Math.min(random.meanRatio, tpe.meanRatio))
  })
})
