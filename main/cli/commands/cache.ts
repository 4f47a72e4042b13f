import type { CacheEntry, CacheKind } from '../../../agents/contract/index.ts'
import type { Command } from '../command.ts'
import { table } from '../format.ts'
import { call } from './basic.ts'
import { usageError } from './run.ts'
import { resolve } from 'node:path'

const KINDS: CacheKind[] = ['baselines', 'peaks', 'build']

/** "3.2 h" for an age in seconds: how stale a cached number is, at a glance. */
export function ageText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '?'
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
  ] as const) {
    if (seconds >= size) return `${(seconds / size).toFixed(1)} ${unit}`
  }
  return `${Math.round(seconds)} s`
}

function describe(entry: CacheEntry): string {
  if (entry.kind === 'baselines') {
    if (!entry.baseline) return entry.note ?? ''
    const load = entry.others_busy_cores === null || entry.others_busy_cores === undefined ? '' : `, others busy ${entry.others_busy_cores} cores`
    return `${entry.baseline} ${entry.median_ms?.toPrecision(4) ?? '?'} ms on ${entry.device_name ?? entry.device ?? '?'} (${entry.host ?? '?'}, torch ${entry.torch ?? '?'}${entry.driver ? `, driver ${entry.driver}` : ''}${load})`
  }
  if (entry.kind === 'peaks')
    return `${entry.peak_bandwidth_gbs ?? '?'} GB/s, ${Object.entries(entry.peak_tflops ?? {})
      .map(([dtype, value]) => `${dtype} ${value} TFLOP/s`)
      .join(', ')}`
  return 'compiled extension'
}

export const cacheCommand: Command = {
  name: 'cache',
  usage: 'akg cache [list|clear] [--kind baselines|peaks|build]... [--task FILE] [--json]',
  summary: 'cached baselines, peaks and builds with when, where and how they were measured; clear to re-measure',
  async run(args, context) {
    const [action = 'list', ...rest] = args
    if (action !== 'list' && action !== 'clear') throw usageError(`unknown action ${action}: use akg cache list or akg cache clear`)
    const kinds: CacheKind[] = []
    let task: string | undefined
    for (let index = 0; index < rest.length; index += 1) {
      const flag = rest[index]
      const value = rest[index + 1]
      if (flag === '--kind' && value && (KINDS as string[]).includes(value)) kinds.push(value as CacheKind)
      else if (flag === '--task' && value) task = resolve(value)
      else throw usageError(`unexpected ${flag ?? ''}${flag === '--kind' ? `: kinds are ${KINDS.join(', ')}` : ''}`)
      index += 1
    }
    const scope = { ...(task ? { task } : {}), ...(kinds.length ? { kinds } : {}) }
    if (action === 'clear') {
      const report = await call(context, 'cache.clear', scope)
      if (context.json) context.out(JSON.stringify(report, null, 2))
      else context.out(`removed ${report.removed.length} cache entr${report.removed.length === 1 ? 'y' : 'ies'}; the next evaluation measures them again`)
      return 0
    }
    const { entries } = await call(context, 'cache.list', scope)
    if (context.json) {
      context.out(JSON.stringify(entries, null, 2))
      return 0
    }
    if (entries.length === 0) {
      context.out('nothing cached')
      return 0
    }
    context.out(
      table(
        ['kind', 'age', 'what', 'task / file'],
        entries.map((entry) => [entry.kind, ageText(entry.age_s), describe(entry), entry.task ?? entry.file]),
      ),
    )
    return 0
  },
}
