import { describe, expect, it } from 'vitest'
import type { Segment } from '../store/run-model.ts'
import { currentActivity, tokensPerSecond } from './run-progress.ts'

const seg = (kind: Segment['kind'], start: number, end: number | null): Segment => ({ kind, start, end, outcome: end === null ? 'running' : 'ok', label: '' })

describe('currentActivity', () => {
  it('names the newest open step and estimates it from the same kind of step earlier in the run', () => {
    const activity = currentActivity({
      c0001: { segments: [seg('code', 0, 4_000), seg('verify', 4_000, 44_000)] },
      c0002: { segments: [seg('code', 50_000, 52_000), seg('verify', 52_000, 72_000)] },
      c0003: { segments: [seg('code', 80_000, 83_000), seg('verify', 83_000, null)] },
    })
    expect(activity).toEqual({ stage: 'c0003 · the harness is building, checking and timing', startedAt: 83_000, typicalMs: 30_000, basis: 2 })
  })

  it('gives no estimate for the first step of a kind, and nothing when no step is open', () => {
    expect(currentActivity({ c0001: { segments: [seg('design', 0, 1_000), seg('verify', 1_000, null)] } })).toEqual({
      stage: 'c0001 · the harness is building, checking and timing',
      startedAt: 1_000,
      basis: 0,
    })
    expect(currentActivity({ c0001: { segments: [seg('verify', 0, 5)] } })).toBeNull()
  })
})

describe('tokensPerSecond', () => {
  it('divides output tokens by the time spent in model steps only', () => {
    expect(tokensPerSecond(400, { c0001: { segments: [seg('design', 0, 2_000), seg('code', 2_000, 4_000), seg('verify', 4_000, 60_000)] } })).toBe(100)
    expect(tokensPerSecond(0, { c0001: { segments: [seg('code', 0, 1_000)] } })).toBeNull()
  })
})
