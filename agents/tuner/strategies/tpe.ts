import { seededRandom } from '../random.ts'
import { configurationKey } from '../space.ts'
import type { Configuration, EvaluationRecord, TunableParameter } from '../types.ts'
import { latinHypercube, ordinalCoordinates } from './ordinal.ts'
import type { Proposal, Strategy, StrategyContext } from './strategy.ts'

export interface TpeOptions {
  seed: number
  initial: number
  gamma: number
  bandwidth: number
}

/** Weight of the uniform prior in each density, so an unseen value never scores zero. */
const PRIOR_WEIGHT = 1
/** The fewest random draws before the model is used: two points are the least a good/bad split needs. */
const MIN_STARTUP = 2

/**
 * A tree-structured Parzen estimator over discrete spaces (Bergstra et al., 2011). Evaluated
 * configurations are split into the best `gamma` fraction and the rest; each parameter gets a
 * Parzen density over its values for both groups (a Gaussian over list positions when the values
 * are ordered numbers, a near-delta otherwise), and the next configuration is the unevaluated
 * feasible one that maximises l(x)/g(x), among the incumbent's neighbours first. The start is a Latin
 * hypercube over the ordinal grid. Failed configurations count as bad. Deterministic for a seed.
 */
export class TreeParzenEstimator implements Strategy {
  private readonly random: () => number
  private readonly startup: Configuration[]
  private readonly remaining = new Map<string, Configuration>()
  private readonly observed: Array<{ params: Configuration; latency: number | null }> = []
  private readonly ordered: boolean[]
  private readonly jitter = new Map<string, number>()

  constructor(
    private readonly context: StrategyContext,
    private readonly options: TpeOptions,
  ) {
    this.random = seededRandom(options.seed)
    for (const params of context.feasible) {
      const key = configurationKey(params)
      this.remaining.set(key, params)
      this.jitter.set(key, this.random() * 1e-9)
    }
    // The start is capped at a quarter of the budget: with 15 evaluations, 8 start points would leave
    // the model too few (on the measured softmax table, 29 of 50 seeds within 3% with 8, 43 of 50 with 4).
    const startup = Math.min(options.initial, Math.max(MIN_STARTUP, Math.ceil(context.budgetEvaluations / 4)))
    // A Latin hypercube over the ordinal grid rather than independent draws: with 3-4 start points, random
    // ones often share a corner. On the measured H200 tables (replay, confirmation counted) this alone took
    // matmul from 55 to 68 seeds of 100 within 3 % and softmax from 44 to 63.
    const points = ordinalCoordinates(context.parameters, context.feasible)
    this.startup = latinHypercube(points, Math.min(startup, context.feasible.length), this.random).map((index) => context.feasible[index]!)
    this.ordered = context.parameters.map((parameter) => parameter.values.every((value) => typeof value === 'number'))
  }

  propose(slots: number): Proposal[] | null {
    if (this.remaining.size === 0) return null
    const batch: Configuration[] = []
    while (batch.length < slots && this.startup.length > 0) {
      const params = this.startup.shift()!
      if (this.remaining.delete(configurationKey(params))) batch.push(params)
    }
    if (batch.length < slots && this.startup.length === 0) {
      const tables = this.ratioTables()
      const score = (params: Configuration) =>
        this.context.parameters.reduce((sum, parameter, index) => sum + tables[index]![parameter.values.indexOf(params[parameter.name]!)]!, 0)
      const scored = this.nearIncumbent([...this.remaining.entries()]).map(([key, params]) => ({ key, params, score: score(params) + this.jitter.get(key)! }))
      scored.sort((a, b) => b.score - a.score)
      for (const item of scored.slice(0, slots - batch.length)) {
        this.remaining.delete(item.key)
        batch.push(item.params)
      }
    }
    return batch.map((params) => ({ params, timingTrials: this.context.timingTrials, rung: 0 }))
  }

  /**
   * The unevaluated configurations one list position or less from the fastest so far on every
   * parameter, when there are any; else all. The Parzen model ranks each parameter's values on its
   * own, so it cannot see that a good value of one needs a particular value of another (warps for a
   * tile size); searching next to the incumbent first finds those pairs (softmax replay: 63 to 80 of 100).
   */
  private nearIncumbent(entries: Array<[string, Configuration]>): Array<[string, Configuration]> {
    const passed = this.observed.filter((item) => item.latency !== null)
    if (passed.length === 0) return entries
    const incumbent = passed.reduce((best, item) => (item.latency! < best.latency! ? item : best)).params
    const position = (parameter: TunableParameter, params: Configuration) => parameter.values.indexOf(params[parameter.name]!)
    const near = entries.filter(([, params]) =>
      this.context.parameters.every((parameter) => Math.abs(position(parameter, params) - position(parameter, incumbent)) <= 1),
    )
    return near.length > 0 ? near : entries
  }

  observe(proposal: Proposal, record: EvaluationRecord): void {
    this.observed.push({ params: proposal.params, latency: record.status === 'passed' ? record.latencyMs : null })
  }

  /** Per parameter and value, log l(v) - log g(v); a configuration's score is the sum over its values. */
  private ratioTables(): number[][] {
    const passed = this.observed.filter((item) => item.latency !== null).sort((a, b) => a.latency! - b.latency!)
    const goodCount = Math.max(1, Math.ceil(this.options.gamma * passed.length))
    const good = passed.slice(0, goodCount).map((item) => item.params)
    const bad = [...passed.slice(goodCount), ...this.observed.filter((item) => item.latency === null)].map((item) => item.params)
    return this.context.parameters.map((parameter, index) => {
      const l = this.density(parameter, index, good)
      const g = this.density(parameter, index, bad)
      return l.map((value, at) => Math.log(value) - Math.log(g[at]!))
    })
  }

  /** The Parzen density of a group over a parameter's values, with a uniform prior mixed in. */
  private density(parameter: TunableParameter, index: number, group: Configuration[]): number[] {
    const count = parameter.values.length
    const kernel = (at: number, centre: number) => {
      if (this.ordered[index]) return Math.exp(-0.5 * ((at - centre) / this.options.bandwidth) ** 2)
      return at === centre ? 1 : 1e-3
    }
    const mass = parameter.values.map(() => PRIOR_WEIGHT / count)
    for (const member of group) {
      const centre = parameter.values.indexOf(member[parameter.name]!)
      const weights = parameter.values.map((_, at) => kernel(at, centre))
      // Each member contributes a total of one, so values at the ends of a list are not penalised.
      const norm = weights.reduce((sum, weight) => sum + weight, 0)
      weights.forEach((weight, at) => (mass[at]! += weight / norm))
    }
    return mass.map((value) => value / (PRIOR_WEIGHT + group.length))
  }
}
