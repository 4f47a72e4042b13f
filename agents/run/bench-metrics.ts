import { fastP, geometricMean } from '../contract/registry.ts'
import { fastPThresholds, type BenchMetrics, type BenchRow } from '../contract/bench.ts'

/**
 * KernelBench's fast_p: the fraction of all tasks whose kernel is correct and more than p times
 * faster than the baseline (fast_0 is the correct fraction). A task without a measured baseline
 * counts as not fast, and so does one whose timing was noisy (a median too spread to trust):
 * it stays correct but enters no speedup metric. Geometric means are over correct tasks with a
 * measured, quiet speedup.
 */
export function benchMetrics(rows: BenchRow[]): BenchMetrics {
  const tasks = rows.length
  const correct = rows.filter((row) => row.correct)
  const timed = correct.filter((row) => !row.noisy)
  const fast = (speedup: (row: BenchRow) => number | null) =>
    Object.fromEntries(fastPThresholds.map((p) => [String(p), p === 0 ? (tasks === 0 ? 0 : correct.length / tasks) : fastP(timed.map(speedup), p, tasks)]))
  return {
    tasks,
    correct: correct.length,
    fastP: { eager: fast((row) => row.speedupVsEager), compile: fast((row) => row.speedupVsCompile) },
    geomeanSpeedupVsEager: geometricMean(timed.map((row) => row.speedupVsEager ?? Number.NaN)),
    geomeanSpeedupVsCompile: geometricMean(timed.map((row) => row.speedupVsCompile ?? Number.NaN)),
    noisyExcluded: correct.length - timed.length,
  }
}

const csvCell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value)
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One row per task, then the metrics as `# name,value` lines a spreadsheet shows under the table. */
export function benchCsv(rows: BenchRow[], metrics: BenchMetrics): string {
  const header = [
    'task',
    'task_path',
    'run_id',
    'run_status',
    'correct',
    'best_candidate',
    'median_ms',
    'eager_ms',
    'compile_ms',
    'speedup_vs_eager',
    'speedup_vs_compile',
    'noisy_timing',
    'baseline',
    'models',
    'replay',
    'error',
  ]
  const lines = [header.join(',')]
  for (const row of rows) {
    lines.push(
      [
        row.taskName,
        row.taskPath,
        row.runId,
        row.runStatus,
        row.correct,
        row.bestCandidateId,
        row.medianMs,
        row.eagerMs,
        row.compileMs,
        row.speedupVsEager,
        row.speedupVsCompile,
        row.noisy === true,
        row.baseline ?? '',
        row.models.join(' '),
        row.replay,
        row.error,
      ]
        .map(csvCell)
        .join(','),
    )
  }
  lines.push('')
  lines.push(`# tasks,${metrics.tasks}`)
  lines.push(`# correct,${metrics.correct}`)
  lines.push(`# noisy timing (correct; excluded from fast_p above 0 and the geomeans),${metrics.noisyExcluded ?? 0}`)
  // Thresholds in their own order: integer-like object keys would otherwise sort before "1.5".
  for (const p of fastPThresholds) lines.push(`# fast_${p} vs eager,${metrics.fastP.eager[String(p)]}`)
  for (const p of fastPThresholds) lines.push(`# fast_${p} vs compile,${metrics.fastP.compile[String(p)]}`)
  lines.push(`# geomean speedup vs eager,${metrics.geomeanSpeedupVsEager ?? ''}`)
  lines.push(`# geomean speedup vs compile,${metrics.geomeanSpeedupVsCompile ?? ''}`)
  return `${lines.join('\n')}\n`
}
