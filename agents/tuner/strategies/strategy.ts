import type { Configuration, EvaluationRecord, TunableParameter } from '../types.ts'

/** One configuration to evaluate, with the timing trials this step asks for (successive halving varies them). */
export interface Proposal {
  params: Configuration
  timingTrials: number
  rung: number
}

/** What a strategy knows when it starts: the feasible configurations, the budget and the objective's trials. */
export interface StrategyContext {
  feasible: Configuration[]
  parameters: TunableParameter[]
  budgetEvaluations: number
  timingTrials: number
}

/**
 * A search strategy in ask/tell form. The tuner asks for a batch (at most `slots`), evaluates it
 * with the runner, tells every result, and asks again; null means the strategy has finished.
 */
export interface Strategy {
  propose(slots: number): Proposal[] | null
  observe(proposal: Proposal, record: EvaluationRecord): void
}

/** A strategy that walks a fixed order of configurations (exhaustive, random). */
export class OrderedStrategy implements Strategy {
  private next = 0

  constructor(
    private readonly order: Configuration[],
    private readonly timingTrials: number,
  ) {}

  propose(slots: number): Proposal[] | null {
    if (this.next >= this.order.length) return null
    const batch = this.order.slice(this.next, this.next + slots)
    this.next += batch.length
    return batch.map((params) => ({ params, timingTrials: this.timingTrials, rung: 0 }))
  }

  observe(): void {}
}
