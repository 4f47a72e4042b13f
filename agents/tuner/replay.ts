import type { StrategyConfig } from './preset.ts'
import type { ResolvedStrategy } from './select.ts'
import { configurationKey } from './space.ts'
import { ManualClock, syntheticRunner } from './synthetic-runner.ts'
import { runSearch } from './tuner.ts'
import type { SearchSpace } from './types.ts'

/**
 * Replays strategies over a measured exhaustive table (a benchmark result file): each evaluation
 * returns the latency exhaustive search measured for that configuration. One GPU run is one seed;
 * a replay over many seeds gives the odds of landing within 3 % of the best. The table is noiseless,
 * so the confirmation round measures nothing new here, but it still takes its evaluations out of the
 * budget, which is what the replay counts.
 */

/** The part of a benchmark result file (bench/tuner/results/*.json) a replay reads, per kernel. */
export interface MeasuredKernel {
  space: { parameters: Array<{ name: string; values: Array<number | string | boolean> }> }
  searches: {
    exhaustive: {
      records: Array<{
        params: Record<string, number | string | boolean>
        status: string
        latencyMs: number | null
        phase?: string
        error: { message: string } | null
      }>
      skipped: Array<{ params: Record<string, number | string | boolean> }>
    }
  }
}

export interface ReplayOptions {
  seeds: number
  /** Evaluations in all, confirmation included; the default is a quarter of the measured configurations. */
  budget?: number
  /** Count the confirmation round (3 finalists, each one evaluation of the budget), as the shipped presets do. */
  confirm: boolean
}

export interface ReplayOutcome {
  measured: number
  budget: number
  best: number
  /** How many measured configurations are within 3 % of the best: the odds random search plays against. */
  withinCount: number
  /** Per seed, the final pick's latency over the best (Infinity when nothing passed). */
  ratios: number[]
  hits: number
  meanRatio: number
}

/** Runs one strategy over one measured table for seeds 0..seeds-1. */
export async function replayTable(kernel: MeasuredKernel, strategyFor: (seed: number) => StrategyConfig, options: ReplayOptions): Promise<ReplayOutcome> {
  // The run's own confirmation re-timings are left out: the table is the search's single pass.
  const records = kernel.searches.exhaustive.records.filter((record) => record.phase !== 'confirm')
  const table = new Map(records.map((record) => [configurationKey(record.params), record]))
  const best = Math.min(...records.filter((record) => record.latencyMs !== null).map((record) => record.latencyMs!))
  const space: SearchSpace = {
    dsl: 'triton',
    parameters: kernel.space.parameters.map((parameter, index) => ({
      name: parameter.name,
      values: parameter.values,
      default: parameter.values[0]!,
      kind: 'python-assignment',
      line: index + 1,
    })),
    points: null,
    constraints: [],
    declaredBy: 'comments',
  }
  const skipped = kernel.searches.exhaustive.skipped.map((record) =>
    Object.entries(record.params)
      .map(([name, value]) => `${name} == ${value}`)
      .join(' && '),
  )
  const budget = options.budget ?? Math.floor(table.size / 4)
  const ratios: number[] = []
  for (let seed = 0; seed < options.seeds; seed++) {
    const clock = new ManualClock()
    const runner = syntheticRunner(
      (params) => {
        const record = table.get(configurationKey(params))
        return record?.latencyMs ?? record?.error?.message ?? 'not measured in the table'
      },
      { clock },
    )
    const strategy: ResolvedStrategy = {
      preset: 'replay',
      file: 'replay',
      strategy: strategyFor(seed),
      objective: { metric: 'median_ms', timingTrials: 10, correctnessTrials: 1 },
      constraints: skipped.length > 0 ? [{ name: 'skipped in the run', expression: skipped.map((clause) => `!(${clause})`).join(' && ') }] : [],
      budget: { evaluations: budget, minutes: 1e6 },
      timing: true,
      confirm: { enabled: options.confirm, top: 3, includeDefault: false, rounds: 3, timingTrials: 10 },
      reasons: [],
      override: null,
    }
    const result = await runSearch({
      source: '',
      space,
      candidatePath: 'replay',
      taskPath: 'replay',
      dsl: 'triton',
      device: 'replay',
      strategy,
      runner,
      clock,
      includeDefault: false,
    })
    if (result.evaluations > budget) throw new Error(`the search spent ${result.evaluations} evaluations of a budget of ${budget}`)
    const pick = result.best ? (table.get(configurationKey(result.best.params))?.latencyMs ?? null) : null
    ratios.push(pick === null ? Infinity : pick / best)
  }
  const finite = ratios.filter(Number.isFinite)
  return {
    measured: table.size,
    budget,
    best,
    withinCount: records.filter((record) => record.latencyMs !== null && record.latencyMs <= best * 1.03).length,
    ratios,
    hits: ratios.filter((ratio) => ratio <= 1.03).length,
    meanRatio: finite.reduce((sum, ratio) => sum + ratio, 0) / Math.max(1, finite.length),
  }
}
