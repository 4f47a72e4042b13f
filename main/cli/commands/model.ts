import type { Command } from '../command.ts'
import { call } from './basic.ts'
import { profileText, patchText, winnersText } from './model-text.ts'
import { parseOptions, usageError } from './run.ts'
import { dslNames, isDsl, type Dsl } from '../../../agents/contract/registry.ts'

const USAGE =
  'akg model profile|extract|winners|apply|compare MODEL [--device V] [--compile] [--top N] [--regions r01,r02] [--at-floor] [--tasks DIR] [--from-runs] [--slower] [--kernel r01=WINNER.py[@dsl] ...] [--dsl D] [--no-compile] [--timing-trials N] [--json]'
const FLAGS = ['compile', 'no-compile', 'from-runs', 'at-floor', 'slower']

/** `r01=winner.py@triton` (the DSL after @ overrides --dsl). */
export function parseKernels(items: string[], fallbackDsl: string): Record<string, { path: string; dsl: Dsl }> {
  const kernels: Record<string, { path: string; dsl: Dsl }> = {}
  for (const item of items) {
    const [task, spec] = item.split(/=(.*)/s, 2)
    if (!task || !spec) throw usageError(`--kernel ${item}: give TASK=WINNER.py, as in r01=runs/best.py`)
    const at = spec.lastIndexOf('@')
    const path = at > 0 ? spec.slice(0, at) : spec
    const dsl = at > 0 ? spec.slice(at + 1) : fallbackDsl
    if (!isDsl(dsl)) throw usageError(`--kernel ${item}: unknown DSL "${dsl}"; use ${dslNames.join(', ')}`)
    kernels[task] = { path, dsl }
  }
  return kernels
}

export const modelCommand: Command = {
  name: 'model',
  usage: USAGE,
  summary: 'profile a PyTorch model, extract its hot regions as tasks, patch the winning kernels back, A/B the model',
  async run(args, context) {
    const [action, ...rest] = args
    const flags = new Set(rest.filter((arg) => FLAGS.includes(arg.replace(/^--/, ''))).map((arg) => arg.replace(/^--/, '')))
    const { positional, options } = parseOptions(
      rest.filter((arg) => !FLAGS.includes(arg.replace(/^--/, ''))),
      ['kernel'],
    )
    const path = positional[0]
    if (!action || !['profile', 'extract', 'winners', 'apply', 'compare'].includes(action) || !path) throw usageError(`usage: ${USAGE}`)
    const device = options.device?.[0] ?? 'cpu'
    if (action === 'profile' || action === 'extract') {
      const input = { path, device, compile: flags.has('compile') }
      const report =
        action === 'profile'
          ? await call(context, 'model.profile', input)
          : await call(context, 'model.extract', {
              ...input,
              ...(options.top ? { top: Number(options.top[0]) } : {}),
              ...(options.regions ? { regions: options.regions[0]!.split(',').filter(Boolean) } : {}),
              ...(flags.has('at-floor') ? { atFloor: true } : {}),
            })
      context.out(context.json ? JSON.stringify(report, null, 2) : profileText(report))
      return 0
    }
    const tasksDir = options.tasks ? { tasksDir: options.tasks[0]! } : {}
    let fromRuns: Record<string, { path: string; dsl: Dsl }> = {}
    if (action === 'winners' || flags.has('from-runs')) {
      const found = await call(context, 'model.winners', { path, device, ...tasksDir, ...(flags.has('slower') ? { slower: true } : {}) })
      if (action === 'winners') {
        context.out(context.json ? JSON.stringify(found, null, 2) : winnersText(found))
        return Object.keys(found.winners).length > 0 ? 0 : 1
      }
      if (!context.json) context.out(winnersText(found))
      fromRuns = Object.fromEntries(Object.entries(found.winners).map(([id, winner]) => [id, { path: winner.path, dsl: winner.dsl }]))
    }
    // A kernel given by hand wins over the one found in the runs.
    const kernels = { ...fromRuns, ...parseKernels(options.kernel ?? [], options.dsl?.[0] ?? 'cpp') }
    const base = { path, device, kernels, ...tasksDir }
    const report =
      action === 'apply'
        ? await call(context, 'model.apply', base)
        : await call(context, 'model.compare', {
            ...base,
            compile: !flags.has('no-compile'),
            ...(options['timing-trials'] ? { timingTrials: Number(options['timing-trials'][0]) } : {}),
          })
    context.out(context.json ? JSON.stringify(report, null, 2) : patchText(report))
    return report.accepted.length > 0 ? 0 : 1
  },
}
