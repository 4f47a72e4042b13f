import { describe, expect, it } from 'vitest'
import type { TimingStats } from '../../../agents/contract/index.ts'
import { latencyBox } from './profile-data.ts'

const older: TimingStats = { median_ms: 1, mean_ms: 1.2, min_ms: 0.9, max_ms: 3, iqr_ms: 0.4, std_ms: 0.3, trials: 20 }

describe('latencyBox', () => {
  it('draws the reported quartiles when the verdict has them (a skewed spread stays skewed)', () => {
    const stats: TimingStats = { ...older, p05_ms: 0.92, p25_ms: 0.95, p75_ms: 1.35, p95_ms: 2.5 }
    expect(latencyBox(stats)).toEqual({ box: [0.9, 0.95, 1, 1.35, 3], source: 'percentiles' })
  })

  it('falls back to the IQR centred on the median for verdicts without quartiles', () => {
    expect(latencyBox(older)).toEqual({ box: [0.9, 0.9, 1, 1.2, 3], source: 'approximate' })
  })

  it('prefers every sample when the verdict carries them', () => {
    const stats = { ...older, p25_ms: 5, p75_ms: 6, samples_ms: [1, 2, 3, 4, 5] } as TimingStats
    expect(latencyBox(stats)).toEqual({ box: [1, 2, 3, 4, 5], source: 'samples' })
  })
})
