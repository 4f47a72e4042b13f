import { describe, expect, it } from 'vitest'
import { parsePresetText, type Preset } from './preset.ts'
import { seededRandom } from './random.ts'
import { resolveStrategy } from './select.ts'
import { configurationKey, parseSpace } from './space.ts'
import { ManualClock, syntheticRunner } from './synthetic-runner.ts'
import { runSearch } from './tuner.ts'
import type { Configuration } from './types.ts'

const source = 'BLOCK = 1024  # akg:tune [16, 32, 64, 128, 256, 512, 1024, 2048]\n'
const space = parseSpace(source, 'triton')
/** True latencies 5% apart near the optimum; the search sees them through heavy noise. */
const truth: Record<number, number> = { 16: 1.3, 32: 1.15, 64: 1.05, 128: 1.0, 256: 1.05, 512: 1.1, 1024: 1.2, 2048: 1.35 }
/** Noise of a median over `trials` samples shrinks as 1/sqrt(trials): 10% at the search's 10 trials. */
const noisy = (seed: number) => {
  const random = seededRandom(seed)
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  return (params: Configuration, trials: number) => truth[params.BLOCK as number]! * (1 + 0.1 * Math.sqrt(10 / trials) * gaussian())
}

function preset(confirm: Preset['confirm'], evaluations = 100): Preset {
  return {
    name: 'noisy',
    description: 'noisy',
    automatic: true,
    match: {},
    timing: true,
    strategy: { kind: 'exhaustive' },
    objective: { metric: 'median_ms', timingTrials: 10, correctnessTrials: 1 },
    constraints: [],
    budget: { evaluations, minutes: 60 },
    overrides: [],
    confirm,
  }
}

async function tune(seed: number, confirm: Preset['confirm'], evaluations = 100) {
  const clock = new ManualClock()
  const measure = noisy(seed)
  const runner = syntheticRunner(() => 0, { clock })
  // The synthetic runner's objective sees no trial count, so wrap evaluate to hand it one.
  const timed = {
    ...runner,
    evaluate: async (request: Parameters<typeof runner.evaluate>[0]) => {
      const verdict = await runner.evaluate(request)
      const latency = measure(request.params ?? {}, request.timingTrials ?? 1)
      return { ...verdict, timing: { ...verdict.timing!, candidate: { ...verdict.timing!.candidate, median_ms: latency } } }
    },
  }
  const resolved = resolveStrategy({ preset: preset(confirm, evaluations), file: 'noisy.json' }, 'chosen by the test', 'kernel')
  const result = await runSearch({
    source,
    space,
    candidatePath: 'c.py',
    taskPath: 't.py',
    dsl: 'triton',
    device: 'cuda',
    strategy: resolved,
    runner: timed,
    clock,
  })
  return { result, requests: runner.requests }
}

describe('the confirmation round', () => {
  it('picks the truly fastest finalist when the search best was a lucky measurement', async () => {
    let lucky = 0
    for (let seed = 1; seed <= 20; seed++) {
      const { result, requests } = await tune(seed, { rounds: 3, timingTrials: 1000 })
      const confirmation = result.confirmation!
      const finalists = confirmation.configurations.map((item) => item.params.BLOCK as number)
      const fastestFinalist = finalists.reduce((best, block) => (truth[block]! < truth[best]! ? block : best))
      if (fastestFinalist !== confirmation.searchBest.BLOCK) lucky++
      expect(result.best!.params.BLOCK, `seed ${seed}`).toBe(fastestFinalist)
      expect(result.bestSource).toContain(`BLOCK = ${fastestFinalist}  # akg:tune`)
      expect(confirmation.changedWinner).toBe(fastestFinalist !== confirmation.searchBest.BLOCK)
      // The 3 fastest by the search plus the candidate's own (1024), each timed once per round, interleaved.
      const searchTop = result.records
        .filter((record) => record.phase !== 'confirm')
        .sort((a, b) => a.latencyMs! - b.latencyMs!)
        .slice(0, 3)
        .map((record) => record.params.BLOCK as number)
      const expected = searchTop.includes(1024) ? searchTop : [...searchTop, 1024]
      expect([...finalists].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b))
      const n = expected.length
      const confirmOrder = requests.slice(8).map((request) => request.params!.BLOCK)
      expect(confirmOrder).toEqual([...expected, ...expected, ...expected])
      expect(requests.slice(8).every((request) => request.timingTrials === 1000)).toBe(true)
      // Both medians are kept: the search's single measurement and the median of the round medians.
      for (const item of confirmation.configurations) {
        const searched = result.records.find((record) => record.phase !== 'confirm' && configurationKey(record.params) === configurationKey(item.params))!
        expect(item.searchMedianMs).toBe(searched.latencyMs)
        expect(item.roundMediansMs).toHaveLength(3)
        expect(item.confirmedMedianMs).toBe([...item.roundMediansMs].sort((a, b) => a - b)[1])
      }
      expect(result.best!.latencyMs).toBe(confirmation.configurations[0]!.confirmedMedianMs)
      expect(result.evaluations).toBe(8 + n)
      expect(result.timingTrials).toBe(8 * 10 + 3 * n * 1000)
    }
    // The scenario is the one the round exists for: in many seeds the search's fastest was a lucky outlier.
    expect(lucky).toBeGreaterThanOrEqual(5)
  })

  it('without it, the same noisy search keeps the lucky outlier', async () => {
    const picks = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(async (seed) => (await tune(seed, { enabled: false })).result.best!.params.BLOCK))
    expect(picks.filter((block) => block !== 128).length).toBeGreaterThanOrEqual(3)
  })

  it('takes at most a quarter of the budget, leaving the search the rest, and needs two finalists', async () => {
    const { result, requests } = await tune(1, { top: 3, rounds: 2 }, 8)
    expect(result.stopReason).toBe('budget-evaluations')
    expect(result.records.filter((record) => record.phase !== 'confirm')).toHaveLength(6)
    expect(result.confirmation!.configurations).toHaveLength(2)
    expect(result.evaluations).toBe(8)
    expect(requests).toHaveLength(6 + 2 * 2)
    const small = await tune(1, {}, 7)
    expect(small.result.confirmation).toBeNull()
    expect(small.result.evaluations).toBe(7)
    expect(small.result.notes.join('\n')).toMatch(/confirmation: not run, the budget of 7 evaluations leaves no room for two finalists/)
  })

  it('checks configurations with the search protocol and each finalist once in full, on one shared seed', async () => {
    const { result, requests } = await tune(3, { rounds: 3, timingTrials: 100 })
    const search = requests.slice(0, 8)
    expect(search.every((request) => request.protocol === 'search' && request.seed === undefined && request.correctnessTrials === 1)).toBe(true)
    const finalists = result.confirmation!.configurations.length
    const firstRound = requests.slice(8, 8 + finalists)
    const laterRounds = requests.slice(8 + finalists)
    expect(firstRound.every((request) => request.protocol === 'full' && request.correctnessTrials === 1)).toBe(true)
    expect(laterRounds.every((request) => request.protocol === 'search')).toBe(true)
    // One seed for every finalist's rounds: the harness computes their reference outputs once.
    expect(new Set(requests.slice(8).map((request) => request.seed)).size).toBe(1)
    expect(requests[8]!.seed).toBeGreaterThan(0)
    expect(result.records.filter((record) => record.phase === 'confirm' && record.round === 0).every((record) => record.protocol === 'full')).toBe(true)
  })

  it('is on by default for timed presets and off for correctness-only ones', () => {
    const timed = resolveStrategy({ preset: preset(undefined), file: 'a.json' }, 'test', 'kernel')
    expect(timed.confirm).toEqual({ enabled: true, top: 3, includeDefault: true, rounds: 3, timingTrials: 10 })
    expect(timed.reasons.join('\n')).toMatch(/confirmation: the 3 fastest and the candidate's own configuration re-timed in 3 interleaved rounds/)
    const interpreter = resolveStrategy({ preset: { ...preset(undefined), timing: false }, file: 'b.json' }, 'test', 'kernel')
    expect(interpreter.confirm.enabled).toBe(false)
  })
})

describe('a malformed confirmation section', () => {
  const text = (confirm: unknown, extra: object = {}) =>
    JSON.stringify({ name: 'x', description: 'x', match: {}, strategy: { kind: 'exhaustive' }, budget: { evaluations: 10, minutes: 1 }, confirm, ...extra })
  it('is refused with the field at fault', () => {
    expect(() => parsePresetText(text({ top: 0 }), 'p.json')).toThrow(/^p\.json: confirm\.top: /)
    expect(() => parsePresetText(text({ rounds: 1 }), 'p.json')).toThrow(/^p\.json: confirm\.rounds: .*>=2/)
    expect(() => parsePresetText(text({ round: 3 }), 'p.json')).toThrow(/^p\.json: confirm: .*round/)
    expect(() => parsePresetText(text('yes'), 'p.json')).toThrow(/^p\.json: confirm: /)
    expect(() => parsePresetText(text({ enabled: true }, { timing: false }), 'p.json')).toThrow(/^p\.json: confirm\.enabled: .*does not time/)
    const override = { overrides: [{ match: { kernel: 'gemm' }, reason: 'r', confirm: { timingTrials: -5 } }] }
    expect(() => parsePresetText(text(undefined, override), 'p.json')).toThrow(/^p\.json: overrides\.0\.confirm\.timingTrials: /)
  })
})
