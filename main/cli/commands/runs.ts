import type { Command } from '../command.ts'
import { table } from '../format.ts'
import { call } from './basic.ts'

const duration = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`)

export const runsCommand: Command = {
  name: 'runs',
  usage: 'akg runs [--json]',
  summary: 'runs on this machine, newest first',
  async run(_args, context) {
    const runs = await call(context, 'runs.list', {})
    const unreadable = await call(context, 'runs.unreadable', {})
    if (context.json) {
      context.out(JSON.stringify(runs, null, 2))
      for (const folder of unreadable) context.error(`unreadable run ${folder.id}: ${folder.reason}`)
      return 0
    }
    context.out(
      table(
        ['id', 'workflow', 'dsl', 'device', 'status', 'candidates', 'best', 'vs eager', 'time', 'title'],
        runs.map((run) => [
          run.id,
          run.workflow,
          run.dsl,
          run.device,
          run.owner ? `running elsewhere (pid ${run.owner.pid}, ${run.owner.program})` : run.status,
          `${run.correctCandidates}/${run.candidates}`,
          run.best ? `${run.best.candidateId} ${run.best.medianMs?.toFixed(4) ?? '?'} ms` : '-',
          run.best?.speedupVsEager ? `${run.best.speedupVsEager.toFixed(2)}x${run.best.noisy ? ' (noisy)' : ''}` : '-',
          duration(run.elapsedMs),
          run.replay ? `${run.title} [replay]` : run.title,
        ]),
      ),
    )
    if (unreadable.length > 0) {
      context.out('')
      context.out(`${unreadable.length} run folder${unreadable.length === 1 ? '' : 's'} cannot be read (nothing in them was changed):`)
      for (const folder of unreadable) context.out(`  ${folder.id}: ${folder.reason}`)
    }
    return 0
  },
}
