import { copyFile, mkdir, readdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fastPThresholds, type BenchReport, type BenchSummary } from '../../../agents/contract/index.ts'
import type { Command } from '../command.ts'
import { table } from '../format.ts'
import { call } from './basic.ts'
import { commonSpec, describeEvent, parseOptions, usageError } from './run.ts'
import type { RunEvent } from '../../../agents/contract/index.ts'

/** Task files under the given paths: a .py file as is, a folder's *.py files (one level down too, for level folders). */
async function collectTasks(paths: string[]): Promise<string[]> {
  const tasks: string[] = []
  for (const path of paths.map((entry) => resolve(entry))) {
    const info = await stat(path).catch(() => null)
    if (!info) throw usageError(`${path} does not exist`)
    if (info.isFile()) {
      tasks.push(path)
      continue
    }
    for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }))) {
      if (entry.isFile() && entry.name.endsWith('.py') && !entry.name.startsWith('_')) tasks.push(join(path, entry.name))
      else if (entry.isDirectory()) {
        for (const inner of (await readdir(join(path, entry.name))).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))) {
          if (inner.endsWith('.py') && !inner.startsWith('_')) tasks.push(join(path, entry.name, inner))
        }
      }
    }
  }
  return tasks
}

const fixed = (value: number | null, digits = 2) => (value === null ? '-' : value.toFixed(digits))

export function benchText(report: BenchReport): string {
  const { metrics } = report
  const rows = report.rows.map((row) => [
    row.taskName,
    row.runStatus,
    row.correct ? 'yes' : 'no',
    fixed(row.medianMs, 4),
    fixed(row.eagerMs, 4),
    fixed(row.compileMs, 4),
    fixed(row.speedupVsEager),
    fixed(row.speedupVsCompile),
    row.runId ?? '-',
  ])
  const fast = (baseline: 'eager' | 'compile') => fastPThresholds.map((p) => `fast_${p}=${(metrics.fastP[baseline][String(p)] ?? 0).toFixed(2)}`).join('  ')
  return [
    table(['task', 'run', 'correct', 'ms', 'eager ms', 'compile ms', 'vs eager', 'vs compile', 'run id'], rows),
    ...report.rows.filter((row) => row.error).map((row) => `${row.taskName}: ${row.error}`),
    '',
    `correct    ${metrics.correct}/${metrics.tasks}`,
    `vs eager   ${fast('eager')}  geomean ${fixed(metrics.geomeanSpeedupVsEager)}x`,
    `vs compile ${fast('compile')}  geomean ${fixed(metrics.geomeanSpeedupVsCompile)}x`,
  ].join('\n')
}

export const benchCommand: Command = {
  name: 'bench',
  usage:
    'akg bench TASK_DIR|TASK ... --dsl D [--device V] [--workflow W] [--model role=provider:model ...] [--replay CASSETTE_OR_FOLDER] [--budget ...] [--out DIR] [--json]',
  summary: 'run a batch of tasks and report fast_p and geometric-mean speedups (JSON and CSV)',
  async run(args, context) {
    const { positional, options } = parseOptions(args, ['model'])
    const dsl = options.dsl?.[0]
    if (positional.length === 0 || !dsl) throw usageError('usage: akg bench TASK_DIR ... --dsl cpp [--replay FOLDER]')
    const taskPaths = await collectTasks(positional)
    if (taskPaths.length === 0) throw usageError(`no .py task files under ${positional.join(', ')}`)
    const started = await call(context, 'bench.start', { taskPaths, dsl, workflow: options.workflow?.[0] ?? 'single', ...commonSpec(options) })
    const unsubscribe = context.json
      ? () => undefined
      : context.host.events.subscribe((name, payload) => {
          if (name === 'bench-progress') {
            const progress = payload as BenchSummary
            if (progress.id === started.id)
              context.out(`bench ${progress.id}: ${progress.finished}/${progress.tasks} tasks${progress.status === 'running' ? '' : ` (${progress.status})`}`)
          }
          if (name !== 'run-event') return
          const event = payload as RunEvent
          if (event.type === 'run-start' || event.type === 'verify-end' || event.type === 'run-end') context.out(`  ${describeEvent(event)}`)
        })
    try {
      await context.host.bench.wait(started.id)
    } finally {
      unsubscribe()
    }
    const json = await call(context, 'bench.export', { benchId: started.id, format: 'json' })
    const csv = await call(context, 'bench.export', { benchId: started.id, format: 'csv' })
    const outDir = options.out?.[0]
    const written = [json.path, csv.path]
    if (outDir) {
      await mkdir(resolve(outDir), { recursive: true })
      for (const path of [json.path, csv.path]) {
        const target = join(resolve(outDir), `${started.id}.${path.endsWith('.csv') ? 'csv' : 'json'}`)
        await copyFile(path, target)
        written.push(target)
      }
    }
    const report = JSON.parse(json.content) as BenchReport
    if (context.json) context.out(json.content.trimEnd())
    else {
      context.out(benchText(report))
      context.out(`written    ${written.join(', ')}`)
    }
    return report.metrics.correct > 0 ? 0 : 1
  },
}
