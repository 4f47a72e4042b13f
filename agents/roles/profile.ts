import type { ProfileAnalysis } from '../contract/runs.ts'
import type { Verdict } from '../ports/index.ts'
import { diagnoseNcu, maxFacts } from './diagnosis.ts'
import { dominant, ncuSide } from './ncu-data.ts'

/** Below this median a kernel's time is mostly launch and Python overhead (a few launches of ~5 µs each). */
export const launchBoundMs = 0.02
/** Under this fraction of the achievable peak neither roof binds; the kernel is waiting, usually on occupancy. */
const lowUtilisation = 0.3
/** ncu's achieved occupancy below this means too few warps to hide latency. */
const lowOccupancy = 0.25

const numberAt = (source: unknown, ...keys: string[]): number | null => {
  if (!source || typeof source !== 'object') return null
  for (const key of keys) {
    const value = (source as Record<string, unknown>)[key]
    if (typeof value === 'number' && Number.isFinite(value)) return value
  }
  return null
}

/**
 * What bounds a correct kernel, from the roofline the harness computes (achieved vs peak bandwidth
 * and FLOP/s, arithmetic intensity vs the ridge point) and ncu's occupancy when it ran.
 */
export function analyzeProfile(verdict: Verdict): ProfileAnalysis {
  const base = analyzeRoofline(verdict)
  const diagnosis = diagnoseNcu(verdict)
  const gap = rooflineGap(base.metrics)
  if (!diagnosis) return { ...base, facts: gap ? [gap] : [], hotSpots: [] }
  // ncu's speed of light says what bounds the kernel better than the roofline estimate, except for launch overhead it cannot see.
  const bound = base.bound === 'launch-bound' ? base.bound : diagnosis.bound
  // The speed-of-light fact is the summary; the roofline estimate's own summary would contradict it.
  const [headline, ...rest] = diagnosis.facts
  const facts = [...(gap ? [gap] : []), ...rest].slice(0, maxFacts - 1)
  return { ...base, bound, summary: `Nsight Compute, heaviest kernel ${headline ?? ''}`.trim(), facts, hotSpots: diagnosis.hotSpots }
}

/** How far the kernel is from the roof that binds it, and what that leaves to gain. */
function rooflineGap(metrics: Record<string, number | null>): string | null {
  const { intensity, ridge, bandwidthFraction, computeFraction } = metrics
  const memory =
    intensity !== null && intensity !== undefined && ridge !== null && ridge !== undefined
      ? intensity < ridge
      : (bandwidthFraction ?? 0) >= (computeFraction ?? 0)
  const used = memory ? bandwidthFraction : computeFraction
  if (used === null || used === undefined || used <= 0) return null
  return `Roofline: ${memory ? 'bandwidth' : 'compute'} at ${(used * 100).toFixed(0)}% of the device peak, so the ${memory ? 'memory' : 'compute'} roof leaves at most ${(1 / used).toFixed(1)}x.`
}

function analyzeRoofline(verdict: Verdict): Omit<ProfileAnalysis, 'facts' | 'hotSpots'> {
  const medianMs = verdict.timing?.candidate.median_ms ?? null
  const roofline = verdict.roofline ?? null
  const intensity = numberAt(roofline, 'arithmetic_intensity')
  // The harness reports peaks and achieved rates (roofline.py); the ridge and utilisations follow from them.
  const peakTflops = numberAt(roofline, 'peak_tflops')
  const peakBandwidth = numberAt(roofline, 'peak_bandwidth_gbs')
  const achievedTflops = numberAt(roofline, 'achieved_tflops')
  const achievedBandwidth = numberAt(roofline, 'achieved_bandwidth_gbs')
  const ridge = peakTflops && peakBandwidth ? (peakTflops * 1e12) / (peakBandwidth * 1e9) : null
  const bandwidthFraction = achievedBandwidth !== null && peakBandwidth ? achievedBandwidth / peakBandwidth : null
  const computeFraction = achievedTflops !== null && peakTflops ? achievedTflops / peakTflops : null
  // Per kernel under ncu.kernels[]: the dominant kernel's occupancy stands for the candidate.
  const occupancy = dominant(ncuSide(verdict, 'candidate'))?.occupancyPct ?? null
  const metrics: Record<string, number | null> = { medianMs, intensity, ridge, bandwidthFraction, computeFraction, occupancy }
  const percent = (value: number | null) => (value === null ? '?' : `${(value * 100).toFixed(0)}%`)
  if (medianMs !== null && medianMs < launchBoundMs) {
    return { bound: 'launch-bound', metrics, summary: `median ${(medianMs * 1000).toFixed(1)} µs: launch and host overhead dominate.` }
  }
  const normalisedOccupancy = occupancy !== null && occupancy > 1 ? occupancy / 100 : occupancy
  if (normalisedOccupancy !== null && normalisedOccupancy < lowOccupancy) {
    return { bound: 'occupancy-bound', metrics, summary: `achieved occupancy ${percent(normalisedOccupancy)}: too few warps to hide latency.` }
  }
  if (intensity !== null && ridge !== null) {
    const memory = intensity < ridge
    const used = memory ? bandwidthFraction : computeFraction
    if (used !== null && used < lowUtilisation) {
      return {
        bound: 'occupancy-bound',
        metrics,
        summary: `${memory ? 'memory' : 'compute'}-side roof at ${percent(used)} of peak: the kernel stalls rather than saturating a roof.`,
      }
    }
    return memory
      ? {
          bound: 'memory-bound',
          metrics,
          summary: `arithmetic intensity ${intensity.toFixed(2)} FLOP/B is below the ridge (${ridge.toFixed(1)}); bandwidth at ${percent(bandwidthFraction)} of peak.`,
        }
      : {
          bound: 'compute-bound',
          metrics,
          summary: `arithmetic intensity ${intensity.toFixed(2)} FLOP/B is above the ridge (${ridge.toFixed(1)}); compute at ${percent(computeFraction)} of peak.`,
        }
  }
  if (bandwidthFraction !== null || computeFraction !== null) {
    const memory = (bandwidthFraction ?? 0) >= (computeFraction ?? 0)
    // Only the parts the harness could measure are named: an element-wise task has no FLOP count.
    const parts = [
      bandwidthFraction !== null ? `bandwidth at ${percent(bandwidthFraction)} of peak` : 'no byte count',
      computeFraction !== null ? `compute at ${percent(computeFraction)} of peak` : 'no FLOP count for this task',
    ]
    return { bound: memory ? 'memory-bound' : 'compute-bound', metrics, summary: `${parts.join('; ')}.` }
  }
  return {
    bound: 'unknown',
    metrics,
    summary: medianMs === null ? 'no timing or profile data.' : `median ${medianMs.toFixed(4)} ms; the harness reported no roofline for this device.`,
  }
}
