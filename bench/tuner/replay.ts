/**
 * Replays the strategies over measured exhaustive tables (benchmark result files), for many seeds:
 * each evaluation returns the latency exhaustive search measured for that configuration. It shows how
 * often each strategy lands within 3% of the best with a quarter of the evaluations, the confirmation
 * round's evaluations counted, which one GPU run (one seed) cannot. Replayed numbers are labelled as
 * such in docs/benchmarks/tuner.md. Prints a markdown table.
 *
 *   npx tsx bench/tuner/replay.ts [--seeds N] [--no-confirm] FILE.json...
 */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { StrategyConfig } from '../../agents/tuner/index.ts'
import { replayTable, type MeasuredKernel } from '../../agents/tuner/replay.ts'

const args = process.argv.slice(2)
let seeds = 100
let confirm = true
const files: string[] = []
for (let index = 0; index < args.length; index++) {
  if (args[index] === '--seeds') seeds = Number(args[++index])
  else if (args[index] === '--no-confirm') confirm = false
  else files.push(args[index]!)
}

const strategies: Record<string, (seed: number) => StrategyConfig> = {
  // The settings the shipped presets use.
  gp: (seed) => ({ kind: 'gp', seed, initial: 5, localEvery: 1 }),
  tpe: (seed) => ({ kind: 'tpe', seed, initial: 8, gamma: 0.25, bandwidth: 1 }),
  random: (seed) => ({ kind: 'random', seed }),
  'successive-halving': (seed) => ({ kind: 'successive-halving', seed, eta: 3, minTimingTrials: 10, maxTimingTrials: 90 }),
}
const only = process.env.REPLAY_STRATEGIES?.split(',')

console.log(
  `| table | kernel | measured | within 3 % | budget (in all) | ${Object.keys(strategies)
    .filter((name) => !only || only.includes(name))
    .map((name) => `${name}: seeds within 3 % / mean ratio`)
    .join(' | ')} |`,
)
for (const file of files) {
  const report = JSON.parse(readFileSync(file, 'utf8')) as { kernels: Record<string, MeasuredKernel> }
  for (const [kernel, data] of Object.entries(report.kernels)) {
    const cells: string[] = []
    let header = ''
    for (const [name, make] of Object.entries(strategies)) {
      if (only && !only.includes(name)) continue
      const outcome = await replayTable(data, make, { seeds, confirm })
      header = `| ${basename(file, '.json')} | ${kernel} | ${outcome.measured} | ${outcome.withinCount} | ${outcome.budget} |`
      cells.push(`${outcome.hits} / ${seeds}, ${outcome.meanRatio.toFixed(4)}`)
    }
    console.log(`${header} ${cells.join(' | ')} |`)
  }
}
