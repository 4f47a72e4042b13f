import type { BenchRow } from '../../../agents/contract/index.ts'
import { fastP } from '../../../agents/contract/registry.ts'

/**
 * KernelBench's fast_p as a curve: the share of all tasks that are correct and more than p times
 * faster than the baseline, for p from 0 up past the best speedup. Failed tasks count against it.
 */
export function fastPCurve(rows: BenchRow[], baseline: 'eager' | 'compile', points = 61): Array<[number, number]> {
  if (rows.length === 0) return []
  const speedups = rows.map((row) => (row.correct ? (baseline === 'eager' ? row.speedupVsEager : row.speedupVsCompile) : null))
  const top = Math.max(2, ...speedups.filter((value): value is number => value !== null))
  const curve: Array<[number, number]> = []
  for (let index = 0; index < points; index += 1) {
    const p = (top * 1.05 * index) / (points - 1)
    curve.push([Number(p.toFixed(3)), fastP(speedups, p)])
  }
  return curve
}
