import type { Command } from '../command.ts'
import { call } from './basic.ts'
import { commonSpec, followRun, parseOptions, parsePairs, usageError } from './run.ts'

export const resumeCommand: Command = {
  name: 'resume',
  usage: 'akg resume RUN [--json]',
  summary: 'continue a run that was interrupted (the app or the machine went down) from its log',
  async run(args, context) {
    const { positional } = parseOptions(args)
    if (positional.length !== 1) throw usageError('give one run id: akg resume RUN (`akg runs` lists them)')
    return followRun(context, await call(context, 'runs.resume', { runId: positional[0]! }))
  },
}

export const forkCommand: Command = {
  name: 'fork',
  usage: 'akg fork RUN CANDIDATE [--workflow W] [--model role=provider:model ...] [--replay CASSETTE] [--budget ...] [--json]',
  summary: 'start a new run from a candidate of an earlier run (its code is re-verified first)',
  async run(args, context) {
    const { positional, options } = parseOptions(args, ['model'])
    if (positional.length !== 2) throw usageError('give a run and one of its candidates: akg fork RUN c0003 (`akg show RUN` lists them)')
    const spec = commonSpec(options)
    const budget = parsePairs(options.budget?.[0], ['steps', 'candidates', 'tokens', 'minutes'], 'budget')
    const started = await call(context, 'runs.fork', {
      runId: positional[0]!,
      candidateId: positional[1]!,
      ...(options.workflow?.[0] ? { workflow: options.workflow[0] } : {}),
      ...(Object.keys(budget).length > 0 ? { budget } : {}),
      ...(Object.keys(spec.models).length > 0 ? { models: spec.models } : {}),
    })
    return followRun(context, started)
  },
}
