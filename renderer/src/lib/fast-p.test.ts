import { describe, expect, it } from 'vitest'
import type { BenchRow } from '../../../agents/contract/index.ts'
import { geometricMean } from '../../../agents/contract/registry.ts'
import { fastPCurve } from './fast-p.ts'

const row = (correct: boolean, eager: number | null): BenchRow => ({
  taskPath: 't.py',
  taskName: 't',
  runId: 'r',
  runStatus: 'completed',
  correct,
  bestCandidateId: null,
  medianMs: null,
  eagerMs: null,
  compileMs: null,
  speedupVsEager: eager,
  speedupVsCompile: null,
  error: null,
  models: [],
  replay: false,
})

describe('fast_p curve', () => {
  it('counts correct tasks faster than p over all tasks, failures included', () => {
    const curve = fastPCurve([row(true, 2.5), row(true, 0.5), row(false, null), row(true, 1.2)], 'eager')
    const at = (p: number) => curve.find(([value]) => value >= p)?.[1]
    expect(at(0)).toBe(0.75)
    expect(at(1)).toBe(0.5)
    expect(at(2)).toBe(0.25)
    expect(curve.at(-1)?.[1]).toBe(0)
  })

  it('takes the geometric mean of positive speedups only', () => {
    expect(geometricMean([2, 0.5])).toBeCloseTo(1)
    expect(geometricMean([])).toBeNull()
  })
})
