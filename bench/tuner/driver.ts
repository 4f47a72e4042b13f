/**
 * The tuner benchmark (docs/benchmarks/tuner.md): for each kernel, the real TypeScript tuner runs
 * exhaustive search, then TPE, random search and successive halving within a quarter of the feasible
 * configurations (their confirmation rounds included), then @triton.autotune over the same space; every
 * search starts from a cold Triton cache. Then the fair comparison: every final pick is re-timed in one
 * interleaved pass in the same process, and each is judged against the best confirmed time.
 *
 *   npx esbuild bench/tuner/driver.ts --bundle --platform=node --format=esm --outfile=.devnode/bench.mjs
 *   node .devnode/bench.mjs OUT.json vector_add_relu softmax matmul
 */
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { EvaluateRequest, Runner, Verdict } from '../../agents/ports/runner.ts'
import {
  configurationKey,
  enumerateSpace,
  parsePresetText,
  parseSpace,
  resolveStrategy,
  runSearch,
  selectPreset,
  type Configuration,
  type LoadedPreset,
  type ResolvedStrategy,
  type TuneResult,
} from '../../agents/tuner/index.ts'

// Run from the repository root (the bundle lives elsewhere, so its own location says nothing).
const here = join(process.cwd(), 'bench', 'tuner')
const presetsFolder = join(process.cwd(), 'resources', 'tuner', 'presets')
const loadPreset = (name: string): LoadedPreset => ({
  preset: parsePresetText(readFileSync(join(presetsFolder, `${name}.json`), 'utf8'), name),
  file: `${name}.json`,
})

class Worker {
  private readonly pending: Array<(value: unknown) => void> = []
  private readonly child = spawn('python3', [join(here, 'worker.py')], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, PYTHONUNBUFFERED: '1' } })
  readonly ready: Promise<{ device: string }>

  constructor() {
    const lines = createInterface({ input: this.child.stdout })
    let resolveReady: (value: { device: string }) => void
    this.ready = new Promise((resolve) => (resolveReady = resolve))
    let first = true
    lines.on('line', (line) => {
      const value = JSON.parse(line)
      if (first) {
        first = false
        resolveReady(value)
      } else this.pending.shift()?.(value)
    })
  }

  call<T>(request: object): Promise<T> {
    return new Promise((resolve) => {
      this.pending.push(resolve as (value: unknown) => void)
      this.child.stdin.write(`${JSON.stringify(request)}\n`)
    })
  }

  close(): void {
    this.child.stdin.end()
  }
}

function runnerFor(worker: Worker, kernel: string): Runner {
  return {
    capacity: () => 1,
    async evaluate(request: EvaluateRequest): Promise<Verdict> {
      const answer = await worker.call<Verdict & { failure?: string }>({ op: 'evaluate', kernel, params: request.params, timing_trials: request.timingTrials })
      if (answer.failure) throw new Error(answer.failure)
      return answer
    },
  }
}

/** The fair pass: 10 interleaved rounds of 100 trials per pick, about a second of GPU time per kernel. */
const FAIR_ROUNDS = 10
const FAIR_TRIALS = 100

const clock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((done) => setTimeout(done, ms)) }

async function main() {
  const [outFile, ...kernels] = process.argv.slice(2)
  const worker = new Worker()
  const { device } = await worker.ready
  const report: Record<string, unknown> = { device, startedAt: new Date().toISOString(), kernels: {} }
  const shipped = ['triton-hopper'].map(loadPreset)
  for (const kernel of kernels) {
    const source = readFileSync(join(here, 'kernels', `${kernel}.py`), 'utf8')
    const space = parseSpace(source, 'triton')
    const scenario = selectPreset(shipped, { dsl: 'triton', deviceFamily: 'hopper', kernel })
    const scenarioStrategy = resolveStrategy(scenario.loaded, scenario.reason, kernel)
    const searches: Record<string, { result: TuneResult; wallSeconds: number }> = {}
    const run = async (name: string, evaluations: number) => {
      await worker.call({ op: 'reset' })
      const named = loadPreset(name).preset
      const strategy: ResolvedStrategy = {
        ...scenarioStrategy,
        strategy: named.strategy,
        budget: { evaluations, minutes: 30 },
        reasons: [...scenarioStrategy.reasons, `benchmark: strategy ${name}, ${evaluations} evaluations`],
      }
      const started = Date.now()
      const result = await runSearch({
        source,
        space,
        candidatePath: kernel,
        taskPath: kernel,
        dsl: 'triton',
        device: 'cuda',
        strategy,
        runner: runnerFor(worker, kernel),
        clock,
        includeDefault: false,
      })
      searches[name] = { result, wallSeconds: (Date.now() - started) / 1000 }
      const best = result.best
      const confirmed = result.confirmation
        ? ` (${result.confirmation.configurations.length} confirmed; search best ${JSON.stringify(result.confirmation.searchBest)}${result.confirmation.changedWinner ? ', replaced' : ', kept'})`
        : ''
      console.log(
        `${kernel} ${name}: ${result.evaluations} evaluations${confirmed}, ${((Date.now() - started) / 1000).toFixed(1)} s, best ${best ? `${JSON.stringify(best.params)} ${best.latencyMs!.toFixed(4)} ms` : 'none'}, ${result.records.filter((item) => item.status !== 'passed').length} failed, ${result.skipped.length} skipped`,
      )
      return result
    }
    const exhaustive = await run('exhaustive', 100_000)
    // A quarter of the space, confirmation evaluations included (exhaustive's own confirmation is not counted against it).
    const quarter = Math.floor(exhaustive.space.feasible / 4)
    for (const name of ['gp', 'tpe', 'random', 'successive-halving']) await run(name, quarter)
    await worker.call({ op: 'reset' })
    const feasible = enumerateSpace(space).filter((params) => !exhaustive.skipped.some((item) => configurationKey(item.params) === configurationKey(params)))
    const autotune = await worker.call<{ tuning_seconds: number; chosen: Configuration; correct: boolean; timing: { median_ms: number } }>({
      op: 'autotune',
      kernel,
      configs: feasible,
      timing_trials: 50,
    })
    console.log(
      `${kernel} autotune: ${autotune.tuning_seconds.toFixed(1)} s, chose ${JSON.stringify(autotune.chosen)} ${autotune.timing?.median_ms?.toFixed(4)} ms`,
    )
    // The fair comparison: each final pick (and exhaustive's single-pass best) timed together, interleaved.
    const picks: Record<string, Configuration> = { 'exhaustive (single pass)': exhaustive.confirmation?.searchBest ?? exhaustive.best!.params }
    for (const [name, { result }] of Object.entries(searches)) if (result.best) picks[name] = result.best.params
    picks.autotune = autotune.chosen
    const distinct = [...new Map(Object.values(picks).map((params) => [configurationKey(params), params])).values()]
    const fair = await worker.call<{
      rounds: number
      timing_trials: number
      results: Array<{ params: Configuration; correct: boolean; timing: { median_ms: number }; round_medians_ms: number[] }>
    }>({ op: 'confirm', kernel, configs: distinct, rounds: FAIR_ROUNDS, timing_trials: FAIR_TRIALS })
    const confirmedOf = new Map(fair.results.map((item) => [configurationKey(item.params), item.timing.median_ms]))
    const bestConfirmed = Math.min(...confirmedOf.values())
    const singlePass = new Map(
      exhaustive.records.filter((item) => item.phase !== 'confirm' && item.latencyMs !== null).map((item) => [configurationKey(item.params), item.latencyMs!]),
    )
    const bestSinglePass = Math.min(...singlePass.values())
    const judged = Object.fromEntries(
      Object.entries(picks).map(([name, params]) => {
        const key = configurationKey(params)
        const row = {
          params,
          confirmedMs: confirmedOf.get(key)!,
          vsBestConfirmed: confirmedOf.get(key)! / bestConfirmed - 1,
          singlePassMs: singlePass.get(key) ?? null,
          vsBestSinglePass: singlePass.has(key) ? singlePass.get(key)! / bestSinglePass - 1 : null,
        }
        console.log(
          `${kernel} fair ${name}: ${JSON.stringify(params)} confirmed ${row.confirmedMs.toFixed(4)} ms (${(row.vsBestConfirmed * 100).toFixed(2)} % vs best confirmed); single pass ${row.singlePassMs?.toFixed(4)} ms (${row.vsBestSinglePass === null ? '-' : (row.vsBestSinglePass * 100).toFixed(2)} %)`,
        )
        return [name, row]
      }),
    )
    ;(report.kernels as Record<string, unknown>)[kernel] = {
      space: {
        size: exhaustive.space.size,
        feasible: exhaustive.space.feasible,
        parameters: space.parameters.map((parameter) => ({ name: parameter.name, values: parameter.values })),
      },
      preset: scenarioStrategy.reasons,
      searches: Object.fromEntries(
        Object.entries(searches).map(([name, { result, wallSeconds }]) => [
          name,
          {
            wallSeconds,
            evaluations: result.evaluations,
            timingTrials: result.timingTrials,
            confirmation: result.confirmation,
            stopReason: result.stopReason,
            best: result.best,
            records: result.records,
            skipped: result.skipped,
            notes: result.notes,
          },
        ]),
      ),
      autotune,
      fair: {
        rounds: fair.rounds,
        timingTrials: fair.timing_trials,
        bestConfirmedMs: bestConfirmed,
        bestSinglePassMs: bestSinglePass,
        picks: judged,
        measured: fair.results,
      },
    }
    writeFileSync(outFile!, JSON.stringify(report, null, 1))
  }
  worker.close()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
