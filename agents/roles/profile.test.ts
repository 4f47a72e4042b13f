import { describe, expect, it } from 'vitest'
import { makeVerdict } from '../testing/fake-runner.ts'
import { analyzeProfile } from './profile.ts'

const withRoofline = (medianMs: number, roofline: Record<string, number | null>) => ({ ...makeVerdict('passed', { medianMs }), roofline })

describe('profile analysis', () => {
  it('calls a low-intensity kernel near peak bandwidth memory-bound', () => {
    const analysis = analyzeProfile(
      withRoofline(0.5, { arithmetic_intensity: 0.25, peak_tflops: 60, peak_bandwidth_gbs: 3000, achieved_bandwidth_gbs: 2400, achieved_tflops: 0.6 }),
    )
    expect(analysis.bound).toBe('memory-bound')
    expect(analysis.summary).toContain('80% of peak')
  })

  it('calls a high-intensity kernel compute-bound, and a kernel far from both roofs occupancy-bound', () => {
    expect(
      analyzeProfile(
        withRoofline(2, { arithmetic_intensity: 200, peak_tflops: 60, peak_bandwidth_gbs: 3000, achieved_tflops: 40, achieved_bandwidth_gbs: 200 }),
      ).bound,
    ).toBe('compute-bound')
    expect(
      analyzeProfile(withRoofline(2, { arithmetic_intensity: 200, peak_tflops: 60, peak_bandwidth_gbs: 3000, achieved_tflops: 3, achieved_bandwidth_gbs: 15 }))
        .bound,
    ).toBe('occupancy-bound')
  })

  it('calls a microsecond kernel launch-bound and says when there is no data', () => {
    expect(analyzeProfile(withRoofline(0.005, {})).bound).toBe('launch-bound')
    expect(analyzeProfile(withRoofline(1, {})).bound).toBe('unknown')
  })

  it('names only what was measured when the task has no FLOP count', () => {
    const analysis = analyzeProfile(withRoofline(0.5, { peak_tflops: 60, peak_bandwidth_gbs: 3000, achieved_bandwidth_gbs: 30 }))
    expect(analysis.summary).toBe('bandwidth at 1% of peak; no FLOP count for this task.')
    expect(analysis.summary).not.toContain('?')
  })
})
