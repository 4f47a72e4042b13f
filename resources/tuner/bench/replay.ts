/**
 * Replays the strategies over a measured exhaustive table (a benchmark result file), for many seeds:
 * each evaluation returns the latency exhaustive search measured for that configuration. It shows how
 * often each strategy lands within 3% of the best with a quarter of the evaluations, which one GPU
 * run (one seed) cannot. Replayed numbers are labelled as such in docs/benchmarks/tuner.md.
 *
 *   npx tsx resources/tuner/bench/replay.ts resources/tuner/bench/results/FILE.json [seeds]
 */
import { readFileSync } from 'node:fs'
import { configurationKey, parseSpace, runSearch, type ResolvedStrategy, type StrategyConfig } from '../../../agents/tuner/index.ts'
import { ManualClock, syntheticRunner } from '../../../agents/tuner/synthetic-runner.ts'

interface Recorded { params: Record<string, number>; status: string; latencyMs: number | null; error: { message: string } | null }

const [file, seedText] = process.argv.slice(2)
const seeds = Number(seedText ?? 50)
const report = JSON.parse(readFileSync(file!, 'utf8')) as { kernels: Record<string, { searches: { exhaustive: { records: Recorded[]; skipped: Recorded[] } } }> }
const strategies: Record<string, (seed: number) => StrategyConfig> = {
  // The shipped tpe preset; its random start is capped at a quarter of the budget by the strategy itself.
  tpe: (seed) => ({ kind: 'tpe', seed, initial: 8, gamma: 0.25, bandwidth: 1 }),
  random: (seed) => ({ kind: 'random', seed }),
  'successive-halving': (seed) => ({ kind: 'successive-halving', seed, eta: 3, minTimingTrials: 10, maxTimingTrials: 90 }),
}

for (const [kernel, data] of Object.entries(report.kernels)) {
  const source = readFileSync(`resources/tuner/bench/kernels/${kernel}.py`, 'utf8')
  const space = parseSpace(source, 'triton')
  const table = new Map(data.searches.exhaustive.records.map((record) => [configurationKey(record.params), record]))
  const best = Math.min(...data.searches.exhaustive.records.filter((record) => record.latencyMs !== null).map((record) => record.latencyMs!))
  const skipped = data.searches.exhaustive.skipped.map((record) => `${Object.entries(record.params).map(([name, value]) => `${name} == ${value}`).join(' && ')}`)
  const budget = Math.floor(data.searches.exhaustive.records.length / 4)
  const within = [...table.values()].filter((record) => record.latencyMs !== null && record.latencyMs <= best * 1.03).length
  console.log(`${kernel}: ${table.size} measured, ${within} within 3% of the best ${best.toFixed(4)} ms; budget ${budget} evaluations; ${seeds} seeds`)
  for (const [name, make] of Object.entries(strategies)) {
    const ratios: number[] = []
    for (let seed = 0; seed < seeds; seed++) {
      const clock = new ManualClock()
      const runner = syntheticRunner((params) => {
        const record = table.get(configurationKey(params))
        return record?.latencyMs ?? record?.error?.message ?? 'not measured'
      }, { clock })
      const strategy: ResolvedStrategy = { preset: 'replay', file: file!, strategy: make(seed), objective: { metric: 'median_ms', timingTrials: 10, correctnessTrials: 1 }, constraints: skipped.length ? [{ name: 'skipped in the run', expression: skipped.map((clause) => `!(${clause})`).join(' && ') }] : [], budget: { evaluations: budget, minutes: 1e6 }, timing: true, confirm: { enabled: false, top: 3, includeDefault: false, rounds: 3, timingTrials: 10 }, reasons: [], override: null }
      const result = await runSearch({ source, space, candidatePath: kernel, taskPath: kernel, dsl: 'triton', device: 'replay', strategy, runner, clock, includeDefault: false })
      ratios.push(result.best ? result.best.latencyMs! / best : Infinity)
    }
    ratios.sort((a, b) => a - b)
    const hits = ratios.filter((ratio) => ratio <= 1.03).length
    console.log(`  ${name.padEnd(20)} within 3%: ${hits}/${seeds}  median ratio ${ratios[Math.floor(seeds / 2)]!.toFixed(4)}  worst ${ratios.at(-1)!.toFixed(4)}`)
  }
}
