import { seededRandom } from '../random.ts'
import { configurationKey } from '../space.ts'
import type { EvaluationRecord } from '../types.ts'
import { fitProcess } from './gp-model.ts'
import { latinHypercube, ordinalCoordinates } from './ordinal.ts'
import type { Proposal, Strategy, StrategyContext } from './strategy.ts'

export interface GaussianProcessOptions {
  seed: number
  /** Configurations of the space-filling start (a Latin hypercube over the ordinal grid); at most a third of the budget. */
  initial: number
  /**
   * Every this many model steps, expected improvement is taken over the incumbent's unevaluated
   * neighbours only (one grid step on any axes), else over the whole space; 1: always local first, 0: never.
   */
  localEvery: number
}

/** The most observations the model is fitted to (the fastest ones): fitting costs the cube of this. */
const MAX_TRAINING = 64

/**
 * Bayesian optimisation for small discrete spaces: each tunable is an ordinal axis (log2 of a
 * power-of-two value, list position otherwise, one axis per word for categories), and a Gaussian
 * process on log latency with one length scale per axis, fitted by marginal likelihood, rates every
 * unevaluated feasible configuration by expected improvement. It starts from a Latin hypercube snapped
 * to feasible configurations, then searches near the incumbent (its grid neighbours) while any is
 * unevaluated. A failed configuration counts as the slowest latency seen, so the model steers away
 * from it without it setting the scale. Deterministic for a seed; never proposes a configuration twice.
 */
export class GaussianProcessSearch implements Strategy {
  private readonly points: number[][]
  private readonly indexOf = new Map<string, number>()
  private readonly remaining = new Set<number>()
  private readonly startup: number[]
  private readonly observed: Array<{ index: number; latency: number | null }> = []
  /** Seeded tie-breaks, so equal scores do not fall back on the order of the space. */
  private readonly jitter: number[]
  /** Per axis, the smallest step between two of its values: what "one step" means for neighbours. */
  private readonly steps: number[]
  private modelSteps = 0

  constructor(
    private readonly context: StrategyContext,
    private readonly options: GaussianProcessOptions,
  ) {
    const random = seededRandom(options.seed)
    this.points = ordinalCoordinates(context.parameters, context.feasible)
    context.feasible.forEach((params, index) => {
      this.remaining.add(index)
      this.indexOf.set(configurationKey(params), index)
    })
    this.jitter = context.feasible.map(() => random() * 1e-9)
    this.steps = (this.points[0] ?? []).map((_, axis) => {
      const values = [...new Set(this.points.map((point) => point[axis]!))].sort((a, b) => a - b)
      let step = Infinity
      for (let at = 1; at < values.length; at++) step = Math.min(step, values[at]! - values[at - 1]!)
      return Number.isFinite(step) ? step : 0
    })
    // A third of the budget at most, so the model has the rest; two points are the least it can fit.
    const count = Math.min(options.initial, Math.max(2, Math.ceil(context.budgetEvaluations / 3)), context.feasible.length)
    this.startup = latinHypercube(this.points, count, random)
  }

  propose(slots: number): Proposal[] | null {
    if (this.remaining.size === 0) return null
    const batch: number[] = []
    while (batch.length < slots && this.startup.length > 0) {
      const index = this.startup.shift()!
      if (this.remaining.delete(index)) batch.push(index)
    }
    while (batch.length < slots && this.remaining.size > 0) {
      const index = this.next(batch)
      this.remaining.delete(index)
      batch.push(index)
    }
    return batch.map((index) => ({ params: this.context.feasible[index]!, timingTrials: this.context.timingTrials, rung: 0 }))
  }

  observe(proposal: Proposal, record: EvaluationRecord): void {
    const index = this.indexOf.get(configurationKey(proposal.params))
    if (index === undefined) return
    const passed = record.status === 'passed' && record.latencyMs !== null && record.latencyMs > 0
    this.observed.push({ index, latency: passed ? record.latencyMs : null })
  }

  private next(pending: number[]): number {
    const candidates = [...this.remaining]
    const passed = this.observed.filter((item) => item.latency !== null)
    const seen = [...this.observed.map((item) => item.index), ...pending]
    if (passed.length < 2) return this.farthest(candidates, seen)
    const worst = Math.max(...passed.map((item) => item.latency!))
    // Failures, and proposals of this batch not yet measured, count as the slowest seen.
    const training = [
      ...this.observed.map((item) => ({ index: item.index, latency: item.latency ?? worst })),
      ...pending.map((index) => ({ index, latency: worst })),
    ]
      .sort((a, b) => a.latency - b.latency)
      .slice(0, MAX_TRAINING)
    const model = fitProcess(
      training.map((item) => this.points[item.index]!),
      training.map((item) => item.latency),
    )
    this.modelSteps++
    const local = this.options.localEvery > 0 && this.modelSteps % this.options.localEvery === 0
    const near = local ? this.neighbours(passed, candidates) : []
    const pool = near.length > 0 ? near : candidates
    return this.argmax(pool, (index) => model.expectedImprovement(this.points[index]!))
  }

  /** Unevaluated configurations at most one grid step from the incumbent on every axis. */
  private neighbours(passed: Array<{ index: number; latency: number | null }>, candidates: number[]): number[] {
    const incumbent = passed.reduce((best, item) => (item.latency! < best.latency! ? item : best))
    const centre = this.points[incumbent.index]!
    return candidates.filter((index) => this.points[index]!.every((value, axis) => Math.abs(value - centre[axis]!) <= this.steps[axis]! + 1e-9))
  }

  /** Without two passed configurations there is no model: take the one farthest from all seen. */
  private farthest(candidates: number[], seen: number[]): number {
    return this.argmax(candidates, (index) => Math.min(Infinity, ...seen.map((other) => squaredDistance(this.points[index]!, this.points[other]!))))
  }

  private argmax(candidates: number[], score: (index: number) => number): number {
    let best = candidates[0]!
    let bestScore = -Infinity
    for (const index of candidates) {
      const value = score(index) + this.jitter[index]!
      if (value > bestScore) {
        bestScore = value
        best = index
      }
    }
    return best
  }
}

function squaredDistance(a: number[], b: number[]): number {
  let sum = 0
  for (let axis = 0; axis < a.length; axis++) sum += (a[axis]! - b[axis]!) ** 2
  return sum
}
