import type { StopDecision } from '../roles/conductor.ts'
import type { RunContext } from '../run/context.ts'
import { adaptiveWorkflow } from './adaptive.ts'
import { conduct } from './conduct.ts'
import { evolveWorkflow } from './evolve.ts'
import { migrateWorkflow } from './migrate.ts'

export { ucbScores, ucbSelect, islandElites, rankCorrect } from './selection.ts'

/** Runs the spec's workflow to its stop; the caller records run-start and run-end. */
export function runWorkflow(context: RunContext, options: { sourceCode: string | null }): Promise<StopDecision> {
  switch (context.spec.workflow) {
    case 'single':
      return conduct(context, { keepOptimizing: false, fresh: () => ({ kind: 'generate' }) })
    case 'optimize':
      return conduct(context, { keepOptimizing: true, fresh: () => ({ kind: 'generate' }) })
    case 'evolve':
      return evolveWorkflow(context)
    case 'adaptive':
      return adaptiveWorkflow(context)
    case 'migrate':
      if (options.sourceCode === null) throw new Error('a migrate run needs the source kernel')
      return migrateWorkflow(context, options.sourceCode)
  }
}
