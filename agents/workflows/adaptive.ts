import { checkStopRules, type StopDecision } from '../roles/conductor.ts'
import type { RunContext } from '../run/context.ts'
import { runCandidate } from './candidate.ts'
import { optimizeFrom } from './conduct.ts'
import { waveWidth } from './concurrency.ts'
import { rankCorrect, ucbSelect } from './selection.ts'

/**
 * adaptive: asynchronous UCB search. Each worker, as soon as it is free, picks a parent from the
 * pool of correct candidates by UCB (speed reward plus an exploration bonus for rarely-bred
 * parents) and rewrites it; while the pool is empty it designs fresh candidates.
 */
export async function adaptiveWorkflow(context: RunContext): Promise<StopDecision> {
  const { concurrency, ucbC, population } = context.spec.search
  let stop: StopDecision | null = null
  const worker = async (): Promise<void> => {
    for (;;) {
      stop ??= checkStopRules(context)
      if (stop) return
      const pool = rankCorrect(context.state.candidates.values()).slice(0, Math.max(population, 1))
      const parent = ucbSelect(pool, context.state.candidates.values(), ucbC)
      if (!parent) {
        await runCandidate(context, { origin: 'generate', parent: null, mode: { kind: 'generate' } })
        continue
      }
      const inspirations = pool.filter((candidate) => candidate.id !== parent.id).slice(0, 1)
      await optimizeFrom(context, parent, { inspirations, origin: 'optimize' })
    }
  }
  await Promise.all(Array.from({ length: waveWidth(concurrency, context.deps.runner.capacity()) }, worker))
  return stop ?? { reason: 'search-complete', detail: 'the search finished' }
}
