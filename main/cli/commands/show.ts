import type { Command } from '../command.ts'
import { call } from './basic.ts'
import { candidateTable, outcome, usageError } from './run.ts'

export const showCommand: Command = {
  name: 'show',
  usage: 'akg show RUN [--json]',
  summary: "a run's outcome and every candidate with its lineage and verdict",
  async run(args, context) {
    if (args.length !== 1) throw usageError('give one run id: akg show RUN (ids from `akg runs`)')
    const detail = await call(context, 'runs.get', { runId: args[0]! })
    if (context.json) {
      context.out(JSON.stringify(detail, null, 2))
      return 0
    }
    context.out(outcome(detail))
    context.out(`task     ${detail.spec.taskPath}`)
    context.out(
      `spec     ${detail.spec.workflow}, ${detail.spec.dsl} on ${detail.spec.device}; budget ${Object.entries(detail.spec.budget)
        .map(([key, value]) => `${key}=${value}`)
        .join(',')}`,
    )
    context.out(`folder   ${context.host.runs.runFolder(detail.summary.id)}`)
    context.out('')
    context.out(candidateTable(detail))
    return 0
  },
}
