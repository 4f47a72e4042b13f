import { resolve } from 'node:path'
import type { Command } from '../command.ts'
import { call } from './basic.ts'
import { commonSpec, followRun, parseOptions, resolveTask, usageError } from './run.ts'

export const migrateCommand: Command = {
  name: 'migrate',
  usage: 'akg migrate KERNEL --from D1 --to D2 --task TASK [--device V] [--model role=provider:model ...] [--replay CASSETTE] [--budget ...] [--json]',
  summary: 'port a working kernel to another DSL, checked against the task and the source kernel',
  async run(args, context) {
    const { positional, options } = parseOptions(args, ['model'])
    const from = options.from?.[0]
    const to = options.to?.[0]
    const task = options.task?.[0]
    if (positional.length !== 1 || !from || !to || !task) throw usageError('usage: akg migrate KERNEL --from triton --to cpp --task TASK')
    const started = await call(context, 'migrate.start', {
      sourcePath: resolve(positional[0]!),
      sourceDsl: from,
      dsl: to,
      taskPath: await resolveTask(context, task),
      ...commonSpec(options),
    })
    return followRun(context, started)
  },
}
