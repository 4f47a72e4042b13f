import type { ModelPatchReport, ModelReport, ModelWinners } from '../../../agents/contract/index.ts'
import { table } from '../format.ts'

const ms = (value: number | null | undefined, digits = 4) => (value === null || value === undefined ? '-' : value.toPrecision(digits))
const percent = (value: number | null | undefined) => (value === null || value === undefined ? '-' : `${(100 * value).toFixed(1)}%`)

/** The profile for people: where the time goes, and the regions ranked by what a kernel could save. */
export function profileText(report: ModelReport): string {
  const lines = [
    `${report.model.name}: ${report.model.source}, ${report.model.parameters.toLocaleString('en')} parameters, on ${report.device.id} (${report.device.name})`,
    `eager: ${ms(report.eager.total_ms)} ms per forward (${report.eager.time_basis}, ${report.eager.runs} profiled forwards); graph: ${report.capture.method}${report.capture.method === 'torch.export' ? ` in ${report.capture.seconds.toFixed(1)} s` : ''}`,
    '',
    table(
      ['op', 'ms/forward', 'calls', 'share'],
      report.eager.ops.slice(0, 8).map((op) => [op.op, ms(op.ms), String(op.calls), percent(op.share)]),
    ),
    '',
    table(
      ['module', 'total ms', 'self ms'],
      report.eager.modules
        .filter((module) => module.depth <= 2)
        .slice(0, 10)
        .map((module) => [module.path, ms(module.total_ms), ms(module.self_ms)]),
    ),
    '',
    table(
      ['region', 'chain', 'where', 'ms', 'floor ms', 'could save', 'share', 'swap'],
      report.tasks.map((task) => [
        task.id,
        task.region.label,
        [...new Set(task.occurrences.map((occurrence) => occurrence.path || '(model)'))].join(', ') +
          (task.occurrences.length > 1 ? ` x${task.occurrences.length}` : ''),
        ms(task.time_ms),
        ms(task.floor_ms, 3),
        ms(task.savings_ms),
        percent(task.share),
        task.occurrences.every((occurrence) => occurrence.aligned) ? 'by path' : 'graph',
      ]),
    ),
  ]
  if (report.compile && 'kernels' in report.compile) {
    lines.push('', `torch.compile fuses (${report.compile.kernels.length} kernels, compiled in ${report.compile.seconds.toFixed(1)} s):`)
    for (const kernel of report.compile.kernels.slice(0, 10)) lines.push(`  ${kernel.kernel}  ${ms(kernel.ms)} ms`)
  } else if (report.compile && 'error' in report.compile) lines.push('', `torch.compile breakdown failed: ${report.compile.error}`)
  for (const note of report.notes) lines.push(`note: ${note}`)
  for (const written of report.written ?? []) lines.push(`${written.status.padEnd(9)} ${written.path}`)
  return lines.join('\n')
}

/** apply / compare for people: what was accepted, what was refused and why, then the A/B. */
export function patchText(report: ModelPatchReport): string {
  const lines = [`${report.model.name}: ${report.accepted.length} region(s) accepted, ${report.refused.length} refused (${report.mode} mode)`]
  for (const region of report.regions) {
    lines.push(
      `  ${region.id} ${region.label} at ${region.paths.map((path) => path || '(model)').join(', ')}: ${region.status}${region.reason ? ` - ${region.reason}` : ''}`,
    )
  }
  if (report.combined.passed !== null)
    lines.push(
      `together: ${report.combined.passed ? 'outputs match the model' : 'outputs break'}${report.combined.checks[0] ? ` (${report.combined.checks[0].summary})` : ''}`,
    )
  if (report.patch_module) lines.push(`patch module: ${report.patch_module}`)
  for (const set of report.sets ?? []) {
    lines.push('', `inputs ${set.inputs.map((shape) => `[${shape.join('x')}]`).join(' ')} (batch ${set.batch})`)
    const rows = Object.entries(set.sides).map(([side, timing]) =>
      timing.error || timing.skipped
        ? [side, '-', '-', '-', (timing.error ?? `not timed: ${timing.skipped}`).slice(0, 100)]
        : [
            side,
            ms(timing.median_ms),
            ms(timing.iqr_ms, 2),
            timing.items_per_s ? timing.items_per_s.toFixed(1) : '-',
            timing.noisy ? `noisy: ${timing.noise ?? ''}` : '',
          ],
    )
    lines.push(table(['side', 'median ms', 'IQR ms', 'items/s', ''], rows))
    const speedups = Object.entries(set.speedups).filter(([, value]) => value !== null)
    if (speedups.length) lines.push(speedups.map(([name, value]) => `${name.replaceAll('_', ' ')} ${value!.toFixed(3)}x`).join('; '))
  }
  if (report.region_share !== undefined && report.region_share !== null)
    lines.push('', `the accepted regions held ${percent(report.region_share)} of the model's profiled time`)
  for (const note of report.notes) lines.push(`note: ${note}`)
  return lines.join('\n')
}

/** The winner of each extracted task's runs, and the tasks that have none, with the reason. */
export function winnersText(found: ModelWinners): string {
  const rows = Object.entries(found.winners).map(([id, winner]) => [
    id,
    `${winner.runId} ${winner.candidateId}`,
    winner.dsl,
    ms(winner.medianMs),
    winner.speedupVsEager === null ? '-' : `${winner.speedupVsEager.toFixed(2)}x${winner.noisy ? ' (noisy)' : ''}`,
    winner.replay ? 'replay' : 'live',
    winner.path,
  ])
  const lines = [`winners from the runs on the tasks in ${found.tasksDir}`]
  if (rows.length > 0) lines.push(table(['region', 'run candidate', 'dsl', 'median ms', 'vs eager', 'answers', 'file'], rows))
  for (const item of found.missing) lines.push(`${item.id}: no winner: ${item.reason}`)
  return lines.join('\n')
}
