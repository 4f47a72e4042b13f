import type { ModelPatchReport, ModelReport } from '../../../agents/contract/index.ts'

/** Bars for the breakdown charts: the largest entries, the rest summed as "other". */
export function topWithRest<T>(items: T[], value: (item: T) => number, label: (item: T) => string, limit: number): Array<{ label: string; ms: number }> {
  const sorted = [...items].sort((a, b) => value(b) - value(a))
  const bars = sorted.slice(0, limit).map((item) => ({ label: label(item), ms: value(item) }))
  const rest = sorted.slice(limit).reduce((sum, item) => sum + value(item), 0)
  if (rest > 0) bars.push({ label: 'other', ms: rest })
  return bars
}

/** Module paths at the first two depths, by inclusive time. */
export function moduleBars(report: ModelReport, limit = 12) {
  return topWithRest(
    report.eager.modules.filter((module) => module.depth >= 1 && module.depth <= 2),
    (module) => module.total_ms,
    (module) => module.path,
    limit,
  )
}

/** A/B rows of one input set: each side's median and throughput, in a fixed order. */
export const SIDE_ORDER = ['eager', 'compile', 'graph', 'patched', 'patched_compile'] as const
export const SIDE_LABEL: Record<string, string> = {
  eager: 'eager',
  compile: 'torch.compile',
  graph: 'captured graph (unpatched)',
  patched: 'patched eager',
  patched_compile: 'patched + compile',
}

export function abRows(set: NonNullable<ModelPatchReport['sets']>[number]) {
  return SIDE_ORDER.filter((side) => side in set.sides).map((side) => ({ side, label: SIDE_LABEL[side] ?? side, ...set.sides[side]! }))
}
