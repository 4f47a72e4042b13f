import { seededRandom, shuffled } from '../random.ts'
import type { EvaluationRecord } from '../types.ts'
import type { Proposal, Strategy, StrategyContext } from './strategy.ts'

export interface SuccessiveHalvingOptions {
  seed: number
  eta: number
  minTimingTrials: number
  maxTimingTrials: number
}

/** Evaluations a halving schedule starting from `first` configurations spends in all. */
export function halvingCost(first: number, eta: number): number {
  let total = 0
  for (let count = first; ; count = Math.ceil(count / eta)) {
    total += count
    if (count <= 1) return total
  }
}

/**
 * Successive halving: many configurations timed cheaply, then the best 1/eta of each rung timed again
 * with eta times the trials, until one is left. The first rung is as large as the evaluation budget
 * allows for the whole schedule; a configuration that fails never survives.
 */
export class SuccessiveHalving implements Strategy {
  private rung = 0
  private queue: Proposal[]
  private results: Array<{ proposal: Proposal; record: EvaluationRecord }> = []
  private finished = false

  constructor(
    context: StrategyContext,
    private readonly options: SuccessiveHalvingOptions,
  ) {
    let first = context.feasible.length
    while (first > 1 && halvingCost(first, options.eta) > context.budgetEvaluations) first--
    const chosen = shuffled(context.feasible, seededRandom(options.seed)).slice(0, first)
    this.queue = chosen.map((params) => ({ params, timingTrials: this.trials(0), rung: 0 }))
  }

  private trials(rung: number): number {
    return Math.min(this.options.maxTimingTrials, this.options.minTimingTrials * this.options.eta ** rung)
  }

  propose(slots: number): Proposal[] | null {
    if (this.queue.length === 0 && !this.finished) this.promote()
    if (this.finished) return null
    return this.queue.splice(0, slots)
  }

  observe(proposal: Proposal, record: EvaluationRecord): void {
    if (proposal.rung === this.rung) this.results.push({ proposal, record })
  }

  private promote(): void {
    const passed = this.results
      .filter((item) => item.record.status === 'passed' && item.record.latencyMs !== null)
      .sort((a, b) => a.record.latencyMs! - b.record.latencyMs!)
    const keep = Math.ceil(this.results.length / this.options.eta)
    if (this.results.length <= 1 || passed.length === 0) {
      this.finished = true
      return
    }
    this.rung++
    this.queue = passed.slice(0, keep).map((item) => ({ params: item.proposal.params, timingTrials: this.trials(this.rung), rung: this.rung }))
    this.results = []
  }
}
