import type { StrategyConfig } from '../preset.ts'
import { seededRandom, shuffled } from '../random.ts'
import { OrderedStrategy, type Strategy, type StrategyContext } from './strategy.ts'
import { GaussianProcessSearch } from './gaussian-process.ts'
import { SuccessiveHalving } from './successive-halving.ts'
import { TreeParzenEstimator } from './tpe.ts'

export type { Proposal, Strategy, StrategyContext } from './strategy.ts'

/** Builds the strategy a preset names; the strategies are code, their choice and settings are configuration. */
export function createStrategy(config: StrategyConfig, context: StrategyContext): Strategy {
  switch (config.kind) {
    case 'exhaustive':
      return new OrderedStrategy(context.feasible, context.timingTrials)
    case 'random':
      return new OrderedStrategy(shuffled(context.feasible, seededRandom(config.seed)), context.timingTrials)
    case 'successive-halving':
      return new SuccessiveHalving(context, config)
    case 'tpe':
      return new TreeParzenEstimator(context, config)
    case 'gp':
      return new GaussianProcessSearch(context, config)
  }
}
