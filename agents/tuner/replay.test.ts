import { describe, expect, it } from 'vitest'
import results from '../../bench/tuner/results/h200-confirm.json'
import { replayTable, type MeasuredKernel } from './replay.ts'

// Exhaustive tables measured on an H200 (docs/benchmarks/tuner.md, run 3). Each replayed evaluation
// returns the latency exhaustive measured; a quarter of the configurations in all, 3 of them spent
// on the confirmation round, as the shipped presets do.
const kernels = (results as unknown as { kernels: Record<string, MeasuredKernel> }).kernels
const seeds = 100

const gp = (seed: number) => ({ kind: 'gp' as const, seed, initial: 5, localEvery: 1 })
const tpe = (seed: number) => ({ kind: 'tpe' as const, seed, initial: 8, gamma: 0.25, bandwidth: 1 })
const random = (seed: number) => ({ kind: 'random' as const, seed })

describe('replays over measured tables (H200, run 3)', () => {
  it('softmax (2 of 60 configurations within 3 %): both model-based searches hit on at least 3 seeds in 4, twice as often as random search', async () => {
    const softmax = kernels.softmax!
    const [model, parzen, baseline] = await Promise.all([gp, tpe, random].map((strategy) => replayTable(softmax, strategy, { seeds, confirm: true })))
    expect(model!.budget).toBe(15)
    expect(model!.withinCount).toBe(2)
    expect(model!.hits).toBeGreaterThanOrEqual(80)
    expect(parzen!.hits).toBeGreaterThanOrEqual(75)
    for (const outcome of [model!, parzen!]) {
      expect(outcome.hits).toBeGreaterThanOrEqual(2 * baseline!.hits)
      expect(outcome.meanRatio).toBeLessThan(baseline!.meanRatio)
    }
  })

  it('matmul (3 of 70 within 3 %): both model-based searches beat random search in hits and in mean ratio', async () => {
    const matmul = kernels.matmul!
    const [model, parzen, baseline] = await Promise.all([gp, tpe, random].map((strategy) => replayTable(matmul, strategy, { seeds, confirm: true })))
    expect(model!.budget).toBe(17)
    expect(parzen!.hits).toBeGreaterThanOrEqual(65)
    expect(model!.hits).toBeGreaterThanOrEqual(55)
    for (const outcome of [model!, parzen!]) {
      expect(outcome.hits).toBeGreaterThan(baseline!.hits + 5)
      expect(outcome.meanRatio).toBeLessThan(baseline!.meanRatio)
    }
  })

  it('the Parzen estimator reaches 94 of 100 on matmul with a third of the configurations', async () => {
    const parzen = await replayTable(kernels.matmul!, tpe, { seeds, confirm: true, budget: 24 })
    expect(parzen.hits).toBeGreaterThanOrEqual(94)
  })
})
