import type { BenchRow } from '../../../agents/contract/index.ts'

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
    const share = speedups.filter((value) => value !== null && value > p).length / rows.length
    curve.push([Number(p.toFixed(3)), share])
  }
  return curve
}

export function geometricMean(values: number[]): number | null {
  const positive = values.filter((value) => value > 0 && Number.isFinite(value))
  if (positive.length === 0) return null
  return Math.exp(positive.reduce((sum, value) => sum + Math.log(value), 0) / positive.length)
}
