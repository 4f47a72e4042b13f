import type { Clock } from '../ports/index.ts'
import type { Dsl, Runner, Verdict } from '../ports/runner.ts'
import { confirmFinalists, pickFinalists } from './confirm.ts'
import { staticChecks, violatedMetric } from './constraints.ts'
import type { ResolvedStrategy } from './select.ts'
import { applyConfiguration, configurationKey, defaultConfiguration, enumerateSpace, spaceSize } from './space.ts'
import { createStrategy, type Proposal } from './strategies/index.ts'
import type { Configuration, Confirmation, EvaluationRecord, SearchSpace, TuneProgress, TunableParameter } from './types.ts'

export interface TuneOptions {
  source: string
  space: SearchSpace
  candidatePath: string
  taskPath: string
  dsl: Dsl
  device: string
  strategy: ResolvedStrategy
  runner: Runner
  clock: Clock
  signal?: AbortSignal
  /** Evaluate the candidate's own configuration first, so the result can say how much tuning gained. */
  includeDefault?: boolean
  /** Per-evaluation harness timeout. */
  timeoutSeconds?: number
  /**
   * Configurations are checked with the harness's search protocol (one correctness trial plus the
   * integrity checks, reference outputs reused) and the finalists with the full one (default true).
   * False runs the full protocol for every evaluation, as before; the benchmark compares the two.
   */
  searchProtocol?: boolean
  onRecord?: (record: EvaluationRecord, progress: TuneProgress) => void
  /**
   * Writes a candidate variant and returns its path. Needed for @triton.autotune spaces: the harness
   * cannot pin an autotune config through params, so each point is evaluated as its own source.
   */
  materialize?: (source: string, key: string) => Promise<string>
}

/** Why the search stopped. */
export type StopReason = 'strategy-finished' | 'budget-evaluations' | 'budget-minutes' | 'cancelled' | 'no-feasible-configuration'

/** Everything a search produced; failures and skips included. */
export interface TuneResult {
  space: { parameters: TunableParameter[]; size: number; feasible: number; declaredBy: SearchSpace['declaredBy'] }
  strategy: ResolvedStrategy
  records: EvaluationRecord[]
  skipped: EvaluationRecord[]
  /** The winner: after a confirmation round, its record carries the confirmed median (phase 'confirm'). */
  best: EvaluationRecord | null
  /** The confirmation round (search and confirmed median per finalist), or null when it did not run. */
  confirmation: Confirmation | null
  /** The candidate's own configuration, when it was evaluated. */
  baseline: EvaluationRecord | null
  /** The candidate source with the best configuration written in; the new candidate in the lineage. */
  bestSource: string | null
  stopReason: StopReason
  /** What the tuner could not check or chose not to apply (missing metrics, constraints that do not apply). */
  notes: string[]
  /** Search evaluations plus one per configuration the confirmation re-timed (all within the budget). */
  evaluations: number
  /** Timing trials asked of the runner over the whole search, confirmation included. */
  timingTrials: number
  elapsedMs: number
  timing: boolean
}

/** Runs one search: static constraints, then the strategy's proposals through the runner, within the budget. */
export async function runSearch(options: TuneOptions): Promise<TuneResult> {
  const { space, strategy: resolved, runner, clock, signal } = options
  const started = clock.now()
  const all = enumerateSpace(space)
  const { checks, notes } = staticChecks(resolved.constraints, space.constraints, all[0] ?? {})
  const skipped: EvaluationRecord[] = []
  const feasible: Configuration[] = []
  for (const params of all) {
    const failed = checks.find((check) => !check.test(params))
    if (!failed) feasible.push(params)
    else skipped.push(record(skipped.length, params, 'skipped', { stage: 'static-constraint', message: `${failed.name}: ${failed.expression} is false` }))
  }
  const autotuneNames = new Set(space.parameters.filter((parameter) => parameter.kind === 'triton-autotune').map((parameter) => parameter.name))
  const records: EvaluationRecord[] = []
  const latest = new Map<string, EvaluationRecord>()
  const cache = new Map<string, EvaluationRecord>()
  const missingMetrics = new Set<string>()
  let evaluations = 0
  let timingTrials = 0
  let stopReason: StopReason = feasible.length === 0 ? 'no-feasible-configuration' : 'strategy-finished'
  let baseline: EvaluationRecord | null = null

  const progress = (): TuneProgress => ({
    evaluated: records.length,
    skipped: skipped.length,
    failed: records.filter((item) => item.status === 'failed' || item.status === 'violates').length,
    budgetEvaluations: resolved.budget.evaluations,
    best: bestOf(latest),
    elapsedMs: clock.now() - started,
  })

  // A confirmation re-timing (round set) bypasses the cache, is counted by the caller, and leaves the search's table alone.
  const evaluate = async (proposal: Proposal, round?: number): Promise<EvaluationRecord> => {
    const confirming = round !== undefined
    const key = `${configurationKey(proposal.params)}@${proposal.timingTrials}`
    const cached = confirming ? undefined : cache.get(key)
    if (cached) return cached
    if (!confirming) evaluations++
    if (resolved.timing) timingTrials += proposal.timingTrials
    const begin = clock.now()
    let result: EvaluationRecord
    try {
      let candidatePath = options.candidatePath
      let params = proposal.params
      if (autotuneNames.size > 0) {
        if (!options.materialize) throw new Error('this host cannot write candidate variants, which @triton.autotune spaces need')
        const pinned = Object.fromEntries(Object.entries(params).filter(([name]) => autotuneNames.has(name)))
        candidatePath = await options.materialize(applyConfiguration(options.source, space, pinned), configurationKey(pinned))
        params = Object.fromEntries(Object.entries(params).filter(([name]) => !autotuneNames.has(name)))
      }
      // The search protocol for the search and the later confirmation rounds; the full one for each
      // finalist's first round, so the configuration that wins has passed every check.
      const protocol = !searchProtocol || (confirming && round === 0) ? 'full' : 'search'
      const verdict = await runner.evaluate(
        {
          taskPath: options.taskPath,
          candidatePath,
          dsl: options.dsl,
          device: options.device,
          params,
          protocol,
          seed: confirming && searchProtocol ? confirmSeed : undefined,
          correctnessTrials: protocol === 'full' ? resolved.objective.correctnessTrials : 1,
          // The harness needs at least one timing trial; a correctness-only search asks for one and ignores it.
          timingTrials: resolved.timing ? proposal.timingTrials : 1,
          timeoutSeconds: options.timeoutSeconds,
          baselines: [],
          // Metric constraints read the harness's profile or Nsight Compute report; ask only for what they need.
          profile: resolved.constraints.some((constraint) => 'metric' in constraint && constraint.metric.startsWith('profile.')),
          ncu: resolved.constraints.some((constraint) => 'metric' in constraint && constraint.metric.startsWith('ncu.')),
        },
        signal,
      )
      result = fromVerdict(records.length, proposal, verdict, resolved, clock.now() - begin, (name, metric) => {
        if (!missingMetrics.has(name)) notes.push(`constraint ${name}: the harness did not report ${metric}, so it was not checked`)
        missingMetrics.add(name)
      })
    } catch (error) {
      const cancelled = signal?.aborted === true
      result = record(
        records.length,
        proposal.params,
        cancelled ? 'cancelled' : 'failed',
        {
          stage: cancelled ? 'cancelled' : 'runner',
          message: error instanceof Error ? error.message : String(error),
        },
        proposal,
      )
      result.durationMs = clock.now() - begin
    }
    result.protocol = !searchProtocol || (confirming && round === 0) ? 'full' : 'search'
    if (confirming) {
      result.phase = 'confirm'
      result.round = round
    } else {
      cache.set(key, result)
      if (result.status === 'passed' || !latest.has(configurationKey(proposal.params))) latest.set(configurationKey(proposal.params), result)
    }
    records.push(result)
    options.onRecord?.(result, progress())
    return result
  }

  const defaults = defaultConfiguration(space)
  const defaultKey = configurationKey(defaults)
  const defaultFeasible = options.includeDefault !== false && feasible.some((params) => configurationKey(params) === defaultKey)
  const confirm = resolved.confirm
  // The confirmation's evaluations come out of the same budget, at most a quarter of it so the search keeps
  // the rest; it needs two finalists to choose between, else it does not run.
  const wanted = confirm.enabled && resolved.timing ? confirm.top + (confirm.includeDefault && defaultFeasible ? 1 : 0) : 0
  const affordable = Math.min(wanted, Math.floor(resolved.budget.evaluations / 4))
  const reserved = affordable >= 2 ? affordable : 0
  const searchBudget = resolved.budget.evaluations - reserved
  const searchProtocol = options.searchProtocol !== false
  // One seed for the finalists' full evaluations: every finalist and round sees the same inputs, so
  // the harness computes their reference outputs once; drawn now, so no candidate knows it earlier.
  const confirmSeed = 1 + Math.floor(Math.random() * (2 ** 31 - 2))
  const search = createStrategy(resolved.strategy, {
    feasible,
    parameters: space.parameters,
    budgetEvaluations: searchBudget,
    timingTrials: resolved.objective.timingTrials,
  })
  if (defaultFeasible) {
    baseline = await evaluate({ params: defaults, timingTrials: resolved.objective.timingTrials, rung: 0 })
  }
  // Timed evaluations run one at a time: two kernels timed together on one device disturb each other.
  const slots = resolved.timing ? 1 : Math.max(1, runner.capacity())
  while (feasible.length > 0) {
    if (signal?.aborted) {
      stopReason = 'cancelled'
      break
    }
    const left = searchBudget - evaluations
    if (left <= 0) {
      stopReason = 'budget-evaluations'
      break
    }
    if (clock.now() - started >= resolved.budget.minutes * 60_000) {
      stopReason = 'budget-minutes'
      break
    }
    const batch = search.propose(Math.min(slots, left))
    if (batch === null) break
    const results = await Promise.all(batch.map((proposal) => evaluate(proposal)))
    batch.forEach((proposal, index) => search.observe(proposal, results[index]!))
    if (results.some((item) => item.status === 'cancelled')) {
      stopReason = 'cancelled'
      break
    }
  }
  let best = resolved.timing ? bestOf(latest) : null
  let confirmation: Confirmation | null = null
  const passed = [...latest.values()].filter((item) => item.status === 'passed')
  const finalists = best && reserved > 0 && stopReason !== 'cancelled' ? pickFinalists(passed, baseline, confirm, reserved) : []
  if (finalists.length >= 2) {
    const remeasure = (params: Configuration, trials: number, round: number) => evaluate({ params, timingTrials: trials, rung: 0 }, round)
    const confirmed = await confirmFinalists(finalists, baseline, confirm, remeasure, () => signal?.aborted === true)
    confirmation = confirmed.confirmation
    evaluations += finalists.length
    if (confirmed.winner) best = confirmed.winner
    else notes.push("confirmation: no finalist passed every round, so the winner is the search's fastest, measured once")
    if (signal?.aborted) stopReason = 'cancelled'
  } else if (wanted > 0 && reserved === 0) {
    notes.push(`confirmation: not run, the budget of ${resolved.budget.evaluations} evaluations leaves no room for two finalists (it may take a quarter)`)
  }
  return {
    space: { parameters: space.parameters, size: spaceSize(space), feasible: feasible.length, declaredBy: space.declaredBy },
    strategy: resolved,
    records,
    skipped,
    best,
    confirmation,
    baseline,
    bestSource: best ? applyConfiguration(options.source, space, best.params) : null,
    stopReason,
    notes,
    evaluations,
    timingTrials,
    elapsedMs: clock.now() - started,
    timing: resolved.timing,
  }
}

function bestOf(latest: Map<string, EvaluationRecord>): EvaluationRecord | null {
  let best: EvaluationRecord | null = null
  for (const item of latest.values()) {
    if (item.status === 'passed' && item.latencyMs !== null && (best === null || item.latencyMs < best.latencyMs!)) best = item
  }
  return best
}

function record(
  index: number,
  params: Configuration,
  status: EvaluationRecord['status'],
  error: EvaluationRecord['error'],
  proposal?: Proposal,
): EvaluationRecord {
  return {
    index,
    params,
    status,
    latencyMs: null,
    timing: null,
    verdict: null,
    error,
    rung: proposal?.rung ?? 0,
    timingTrials: proposal?.timingTrials ?? null,
    durationMs: 0,
  }
}

function fromVerdict(
  index: number,
  proposal: Proposal,
  verdict: Verdict,
  resolved: ResolvedStrategy,
  durationMs: number,
  missing: (name: string, metric: string) => void,
): EvaluationRecord {
  const base = record(index, proposal.params, 'failed', null, proposal)
  base.verdict = verdict.status
  base.durationMs = durationMs
  if (verdict.status !== 'passed' || !verdict.correct) {
    const failedCheck = verdict.checks.find((check) => !check.passed)
    base.error = verdict.error
      ? { stage: verdict.error.stage, message: verdict.error.message }
      : {
          stage: verdict.status,
          message: failedCheck ? `${failedCheck.name}${failedCheck.detail ? `: ${failedCheck.detail}` : ''}` : `the harness said ${verdict.status}`,
        }
    return base
  }
  // A param the harness could not apply would measure the untuned kernel under the wrong name.
  const unused = (verdict as { params?: { unused?: unknown } }).params?.unused
  if (Array.isArray(unused) && unused.length > 0) {
    base.error = {
      stage: 'tunables',
      message: `the harness did not apply ${unused.join(', ')}: no constant, macro or launch option of that name was found in the build`,
    }
    return base
  }
  const violation = violatedMetric(resolved.constraints, verdict, missing)
  if (violation) {
    base.status = 'violates'
    base.error = { stage: 'constraint', message: violation }
    return base
  }
  base.status = 'passed'
  if (resolved.timing) {
    if (!verdict.timing) {
      base.status = 'failed'
      base.error = { stage: 'timing', message: 'the harness returned no timing for a timed evaluation' }
      return base
    }
    base.timing = verdict.timing.candidate
    base.latencyMs = verdict.timing.candidate.median_ms
  }
  return base
}
