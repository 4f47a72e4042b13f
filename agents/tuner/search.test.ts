import { describe, expect, it } from 'vitest'
import type { Budget, Preset, StrategyConfig } from './preset.ts'
import { resolveStrategy } from './select.ts'
import { parseSpace } from './space.ts'
import { halvingCost } from './strategies/successive-halving.ts'
import { ManualClock, syntheticRunner } from './synthetic-runner.ts'
import { runSearch } from './tuner.ts'
import type { Configuration } from './types.ts'

// 8 x 5 x 5 = 200 configurations; the default (1024, 4, 2) is not the best.
const source = `BLOCK = 1024  # akg:tune [16, 32, 64, 128, 256, 512, 1024, 2048]
WARPS = 4  # akg:tune [1, 2, 4, 8, 16]
STAGES = 2  # akg:tune [1, 2, 3, 4, 5]
`
const space = parseSpace(source, 'triton')

/** A smooth bowl with a little deterministic ripple; BLOCK 2048 with one warp breaks correctness. */
function objective(params: Configuration): number | string {
  const block = Math.log2(params.BLOCK as number)
  const warps = Math.log2(params.WARPS as number)
  const stages = params.STAGES as number
  if (block === 11 && warps === 0) return 'max abs error 3.5 at index 2047: elements past the block were skipped'
  const ripple = 0.01 * Math.sin(block * 7 + warps * 3 + stages)
  return 1 + 0.1 * (block - 8) ** 2 + 0.05 * (warps - 2) ** 2 + 0.02 * (stages - 3) ** 2 + ripple
}
const trueBest = Math.min(
  ...Array.from({ length: 200 }, (_, index) => index).map((index) => {
    const params = { BLOCK: 2 ** (4 + (index % 8)), WARPS: 2 ** (Math.floor(index / 8) % 5), STAGES: 1 + Math.floor(index / 40) }
    const value = objective(params)
    return typeof value === 'number' ? value : Infinity
  }),
)

// The strategies are tested alone here; the confirmation round after them is tested in confirm.test.ts.
function preset(strategy: StrategyConfig, budget: Budget, extra: Partial<Preset> = {}): Preset {
  return {
    name: 'test',
    description: 'test',
    automatic: true,
    match: {},
    timing: true,
    strategy,
    objective: { metric: 'median_ms', timingTrials: 10, correctnessTrials: 1 },
    constraints: [],
    budget,
    overrides: [],
    confirm: { enabled: false },
    ...extra,
  }
}

async function search(
  strategy: StrategyConfig,
  budget: Budget,
  extra: Partial<Preset> = {},
  runnerOptions: Parameters<typeof syntheticRunner>[1] = {},
  signal?: AbortSignal,
) {
  const clock = runnerOptions.clock ?? new ManualClock()
  const runner = syntheticRunner(objective, { ...runnerOptions, clock })
  const resolved = resolveStrategy({ preset: preset(strategy, budget, extra), file: 'test.json' }, 'chosen by the test', 'kernel')
  const result = await runSearch({
    source,
    space,
    candidatePath: 'c.py',
    taskPath: 't.py',
    dsl: 'triton',
    device: 'cuda',
    strategy: resolved,
    runner,
    clock,
    signal,
  })
  return { result, runner }
}

describe('strategies on a synthetic objective', () => {
  it('exhaustive evaluates every configuration once and finds the true best', async () => {
    const { result, runner } = await search({ kind: 'exhaustive' }, { evaluations: 1000, minutes: 60 })
    expect(runner.requests).toHaveLength(200)
    expect(result.evaluations).toBe(200)
    expect(result.best?.latencyMs).toBeCloseTo(trueBest, 12)
    expect(result.best?.params).toEqual({ BLOCK: 256, WARPS: 4, STAGES: 3 })
    expect(result.baseline?.params).toEqual({ BLOCK: 1024, WARPS: 4, STAGES: 2 })
    expect(result.bestSource).toContain('BLOCK = 256  # akg:tune')
    expect(result.stopReason).toBe('strategy-finished')
  })

  it('random search is reproducible for a seed and stops at the evaluation budget', async () => {
    const first = await search({ kind: 'random', seed: 7 }, { evaluations: 40, minutes: 60 })
    const second = await search({ kind: 'random', seed: 7 }, { evaluations: 40, minutes: 60 })
    expect(first.result.evaluations).toBe(40)
    expect(first.result.stopReason).toBe('budget-evaluations')
    expect(first.result.records.map((item) => item.params)).toEqual(second.result.records.map((item) => item.params))
    const all = await search({ kind: 'random', seed: 7 }, { evaluations: 201, minutes: 60 })
    expect(all.result.best?.latencyMs).toBeCloseTo(trueBest, 12)
  })

  it('successive halving gives survivors more timing trials and finds the true best when its first rung covers the space', async () => {
    const eta = 3
    const { result } = await search(
      { kind: 'successive-halving', seed: 0, eta, minTimingTrials: 1, maxTimingTrials: 1000 },
      { evaluations: halvingCost(200, eta) + 1, minutes: 60 },
    )
    const rungs = [...new Set(result.records.map((item) => item.rung))]
    expect(rungs).toEqual([0, 1, 2, 3, 4, 5])
    expect(result.records.filter((item) => item.rung === 1).every((item) => item.timingTrials === 3)).toBe(true)
    expect(result.best?.latencyMs).toBeCloseTo(trueBest, 12)
    expect(result.best?.rung).toBe(5)
    const small = await search({ kind: 'successive-halving', seed: 0, eta, minTimingTrials: 5, maxTimingTrials: 100 }, { evaluations: 50, minutes: 60 })
    expect(small.result.evaluations).toBeLessThanOrEqual(50)
    expect(small.result.best).not.toBeNull()
  })

  it('the Parzen estimator is within 3% of the true best with a quarter of the evaluations, for several seeds', async () => {
    for (const seed of [0, 1, 2, 3, 4]) {
      const { result } = await search({ kind: 'tpe', seed, initial: 8, gamma: 0.25, bandwidth: 1 }, { evaluations: 50, minutes: 60 })
      expect(result.evaluations).toBe(50)
      expect(result.best!.latencyMs! / trueBest, `seed ${seed}`).toBeLessThan(1.03)
    }
    const again = await search({ kind: 'tpe', seed: 3, initial: 8, gamma: 0.25, bandwidth: 1 }, { evaluations: 50, minutes: 60 })
    const once = await search({ kind: 'tpe', seed: 3, initial: 8, gamma: 0.25, bandwidth: 1 }, { evaluations: 50, minutes: 60 })
    expect(again.result.records.map((item) => item.params)).toEqual(once.result.records.map((item) => item.params))
  })
})

describe('the search loop', () => {
  it('records every configuration that breaks correctness with the harness error, and never picks it', async () => {
    const { result } = await search({ kind: 'exhaustive' }, { evaluations: 1000, minutes: 60 })
    const failed = result.records.filter((item) => item.status === 'failed')
    expect(failed.map((item) => item.params)).toEqual([1, 2, 3, 4, 5].map((stages) => ({ BLOCK: 2048, WARPS: 1, STAGES: stages })))
    expect(failed[0]!.error).toEqual({ stage: 'incorrect', message: 'allclose: max abs error 3.5 at index 2047: elements past the block were skipped' })
    expect(failed[0]!.verdict).toBe('incorrect')
  })

  it('skips configurations that violate a static constraint with the reason, without running them', async () => {
    const { result, runner } = await search(
      { kind: 'exhaustive' },
      { evaluations: 1000, minutes: 60 },
      {
        constraints: [
          { name: 'threads', expression: 'BLOCK * WARPS <= 4096' },
          { name: 'not this kernel', expression: 'BLOCK_K <= 64' },
        ],
      },
    )
    expect(result.skipped.length).toBeGreaterThan(0)
    expect(result.skipped[0]!.error).toEqual({ stage: 'static-constraint', message: 'threads: BLOCK * WARPS <= 4096 is false' })
    expect(runner.requests.every((request) => (request.params!.BLOCK as number) * (request.params!.WARPS as number) <= 4096)).toBe(true)
    expect(result.skipped.length + runner.requests.length).toBe(200)
    expect(result.notes.join('\n')).toMatch(/not this kernel .* does not apply: unknown name BLOCK_K/)
  })

  it('marks a configuration whose profile breaks a metric constraint, and notes metrics the harness did not report', async () => {
    const profile = (params: Configuration) => ({ registers_per_thread: (params.WARPS as number) >= 8 ? 300 : 64 })
    const { result } = await search(
      { kind: 'exhaustive' },
      { evaluations: 1000, minutes: 60 },
      {
        constraints: [
          { name: 'registers', metric: 'profile.registers_per_thread', max: 255 },
          { name: 'occupancy', metric: 'profile.occupancy', min: 0.2 },
        ],
      },
      { profile },
    )
    const violating = result.records.filter((item) => item.status === 'violates')
    expect(violating).toHaveLength(80)
    expect(violating[0]!.error?.message).toBe('registers: profile.registers_per_thread = 300 exceeds 255')
    expect(result.best!.params.WARPS).toBeLessThan(8)
    expect(result.notes).toContain('constraint occupancy: the harness did not report profile.occupancy, so it was not checked')
  })

  it('stops at the minute budget', async () => {
    const { result } = await search({ kind: 'exhaustive' }, { evaluations: 1000, minutes: 0.5 }, {}, { msPerEvaluation: 1000 })
    expect(result.stopReason).toBe('budget-minutes')
    expect(result.evaluations).toBe(30)
  })

  it('stops when cancelled and keeps what it measured', async () => {
    const controller = new AbortController()
    const clock = new ManualClock()
    const runner = syntheticRunner(
      (params) => {
        if (clock.now() >= 5000) controller.abort()
        return objective(params)
      },
      { clock },
    )
    const resolved = resolveStrategy({ preset: preset({ kind: 'exhaustive' }, { evaluations: 1000, minutes: 60 }), file: 'test.json' }, 'test', 'kernel')
    const result = await runSearch({
      source,
      space,
      candidatePath: 'c.py',
      taskPath: 't.py',
      dsl: 'triton',
      device: 'cuda',
      strategy: resolved,
      runner,
      clock,
      signal: controller.signal,
    })
    expect(result.stopReason).toBe('cancelled')
    expect(result.records.length).toBe(5)
    expect(result.best).not.toBeNull()
  })

  it('checks correctness only, in parallel, when the preset says there is no timing on this device', async () => {
    const { result, runner } = await search({ kind: 'exhaustive' }, { evaluations: 1000, minutes: 60 }, { timing: false }, { capacity: 4 })
    expect(runner.requests.every((request) => request.timingTrials === 1)).toBe(true)
    expect(result.best).toBeNull()
    expect(result.bestSource).toBeNull()
    expect(result.records.filter((item) => item.status === 'passed')).toHaveLength(195)
    expect(result.records.every((item) => item.latencyMs === null)).toBe(true)
  })
})
