import { describe, expect, it } from 'vitest'
import type { BenchRow } from '../contract/bench.ts'
import { benchCsv, benchMetrics } from './bench-metrics.ts'

const row = (name: string, correct: boolean, eager: number | null, compile: number | null): BenchRow => ({
  taskPath: `/t/${name}.py`,
  taskName: name,
  runId: `r-${name}`,
  runStatus: 'completed',
  correct,
  bestCandidateId: correct ? 'c0001' : null,
  medianMs: correct ? 1 : null,
  eagerMs: 1,
  compileMs: 1,
  speedupVsEager: eager,
  speedupVsCompile: compile,
  error: null,
  models: ['samples:hand-written-replay'],
  replay: true,
})

describe('bench metrics', () => {
  it('computes fast_p over all tasks and geometric means over the correct ones', () => {
    const metrics = benchMetrics([row('a', true, 2.5, 1.2), row('b', true, 0.5, 0.4), row('c', false, null, null), row('d', true, 1.2, null)])
    expect(metrics.fastP.eager).toEqual({ '0': 0.75, '1': 0.5, '1.5': 0.25, '2': 0.25 })
    expect(metrics.fastP.compile).toEqual({ '0': 0.75, '1': 0.25, '1.5': 0, '2': 0 })
    expect(metrics.geomeanSpeedupVsEager).toBeCloseTo(Math.cbrt(2.5 * 0.5 * 1.2), 10)
    expect(metrics.geomeanSpeedupVsCompile).toBeCloseTo(Math.sqrt(1.2 * 0.4), 10)
  })

  it('writes a CSV with one row per task and the metrics below', () => {
    const rows = [
      row('x,y', true, 2, 1),
      { ...row('bad', false, null, null), runId: null, runStatus: 'not-started' as const, error: 'not a task: no get_inputs' },
    ]
    const csv = benchCsv(rows, benchMetrics(rows))
    expect(csv.split('\n')[0]).toContain(',noisy_timing,baseline,models,replay,error')
    expect(csv.split('\n')[1]).toBe('"x,y","/t/x,y.py","r-x,y",completed,true,c0001,1,1,1,2,1,false,,samples:hand-written-replay,true,')
    expect(csv.split('\n')[2]).toBe('bad,/t/bad.py,,not-started,false,,,1,1,,,false,,samples:hand-written-replay,true,not a task: no get_inputs')
    expect(csv).toContain('# fast_1 vs eager,0.5')
  })

  it('keeps a noisy timing correct but out of fast_p above 0 and the geomeans, and marks it in the CSV', () => {
    const noisy = { ...row('jitter', true, 30, 25), noisy: true, baseline: 'baseline cached 2.0 h ago, re-timed' }
    const rows = [row('a', true, 2, 1), noisy]
    const metrics = benchMetrics(rows)
    expect(metrics.correct).toBe(2)
    expect(metrics.fastP.eager).toEqual({ '0': 1, '1': 0.5, '1.5': 0.5, '2': 0 })
    expect(metrics.geomeanSpeedupVsEager).toBe(2)
    expect(metrics.noisyExcluded).toBe(1)
    const csv = benchCsv(rows, metrics)
    expect(csv.split('\n')[2]).toBe(
      'jitter,/t/jitter.py,r-jitter,completed,true,c0001,1,1,1,30,25,true,"baseline cached 2.0 h ago, re-timed",samples:hand-written-replay,true,',
    )
    expect(csv).toContain('# noisy timing (correct; excluded from fast_p above 0 and the geomeans),1')
  })
})
