import type { CandidateRecord } from '../contract/runs.ts'
import { checkStopRules, type StopDecision } from '../roles/conductor.ts'
import type { RunContext } from '../run/context.ts'
import { runCandidate } from './candidate.ts'
import { optimizeFrom } from './conduct.ts'
import { runBounded, waveWidth } from './concurrency.ts'
import { islandElites, pickParent, rankCorrect } from './selection.ts'

/** Elites kept per island: enough variety for inspirations, few enough that the best dominate. */
export const elitesPerIsland = 3

const onIsland = (context: RunContext, island: number): CandidateRecord[] =>
  [...context.state.candidates.values()].filter((candidate) => candidate.island === island && candidate.origin !== 'migrate-source')

/** Completed generations, read back from the log: the least-advanced island sets the pace. */
export function generationsDone(context: RunContext): number {
  const { islands, population } = context.spec.search
  return Math.min(...Array.from({ length: islands }, (_, island) => Math.floor(onIsland(context, island).length / population)))
}

/** One candidate for an island: a rewrite of an elite (with another elite as inspiration), or a fresh design while it has none. */
async function breed(context: RunContext, island: number, slot: number): Promise<void> {
  if (checkStopRules(context)) return
  const elites = islandElites(context.state.candidates.values(), island, context.state.migrants.get(island), elitesPerIsland)
  const parent = pickParent(elites, slot)
  if (!parent) {
    await runCandidate(context, { origin: 'generate', parent: null, island, mode: { kind: 'generate' } })
    return
  }
  const inspirations = elites.filter((elite) => elite.id !== parent.id).slice(0, 1)
  await optimizeFrom(context, parent, { inspirations, island, origin: 'evolve' })
}

/** Every migrationInterval generations, each island's best moves to the next island (a ring). */
async function migrate(context: RunContext, generation: number): Promise<void> {
  const { islands, migrationInterval } = context.spec.search
  if (islands < 2 || generation % migrationInterval !== 0) return
  const expected = Math.floor(generation / migrationInterval) * islands
  if (context.state.migrations >= expected) return
  for (let island = 0; island < islands; island += 1) {
    const best = rankCorrect(onIsland(context, island))[0]
    const target = (island + 1) % islands
    await context.recorder.emit({ type: 'island-migration', fromIsland: island, toIsland: target, candidateIds: best ? [best.id] : [] })
  }
  await context.recorder.flush()
}

/**
 * evolve: an island model. Each generation breeds `population` candidates per island in one
 * wave bounded by the runner's slots; elites migrate around the ring of islands.
 */
export async function evolveWorkflow(context: RunContext): Promise<StopDecision> {
  const { islands, population, concurrency } = context.spec.search
  for (;;) {
    const stop = checkStopRules(context)
    if (stop) return stop
    const generation = generationsDone(context)
    const tasks: Array<() => Promise<void>> = []
    for (let island = 0; island < islands; island += 1) {
      const missing = (generation + 1) * population - onIsland(context, island).length
      for (let slot = 0; slot < missing; slot += 1) tasks.push(() => breed(context, island, slot))
    }
    await runBounded(tasks, waveWidth(concurrency, context.deps.runner.capacity()))
    await migrate(context, generationsDone(context))
  }
}
