import type { Verdict } from '../../../agents/contract/index.ts'

/**
 * What the Nsight-style panels draw from a harness verdict's `ncu` section: the candidate's
 * kernels (`ncu.kernels[]`), the eager baseline's (`ncu.baseline.kernels[]`) and the source-line
 * stall samples (`ncu.source.lines[]`). Missing numbers stay null so a chart says "not measured".
 */
export interface NcuSummary {
  label: string
  kernelCount: number
  durationMs: number
  /** Duration-weighted over the side's kernels, so a side with many small kernels compares fairly. */
  memoryPct: number | null
  computePct: number | null
  dramPct: number | null
  occupancyPct: number | null
  theoreticalOccupancyPct: number | null
  tensorPct: number | null
  l1HitPct: number | null
  l2HitPct: number | null
  dramReadBytes: number | null
  dramWriteBytes: number | null
  registers: number | null
  spills: number | null
  limiter: string | null
  /** Stalled warps per issued instruction by reason, duration-weighted. */
  stalls: Record<string, number>
  collectionS: number | null
}

export interface HeatLine {
  line: number
  share: number
  topStall: string | null
  text: string
}

type Loose = Record<string, unknown>
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value)
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)

function weighted(kernels: Loose[], key: string): number | null {
  let total = 0
  let weight = 0
  for (const kernel of kernels) {
    const value = num(kernel[key])
    const duration = num(kernel.duration_ms) ?? 0
    if (value === null) continue
    total += value * (duration || 1)
    weight += duration || 1
  }
  return weight > 0 ? total / weight : null
}

function summed(kernels: Loose[], key: string): number | null {
  const values = kernels.map((kernel) => num(kernel[key])).filter((value): value is number => value !== null)
  return values.length > 0 ? values.reduce((sum, value) => sum + value, 0) : null
}

/** A side of the comparison from an ncu section ({kernels: [...]}); null when it has no kernels. */
export function summarizeNcu(section: unknown, label: string): NcuSummary | null {
  if (!isObject(section) || !Array.isArray(section.kernels)) return null
  const kernels = section.kernels.filter(isObject)
  if (kernels.length === 0) return null
  const heaviest = kernels.reduce((best, kernel) => ((num(kernel.duration_ms) ?? 0) > (num(best.duration_ms) ?? 0) ? kernel : best))
  const stalls: Record<string, number> = {}
  const totalMs = kernels.reduce((sum, kernel) => sum + (num(kernel.duration_ms) ?? 0), 0)
  for (const kernel of kernels) {
    if (!isObject(kernel.stalls)) continue
    const weight = totalMs > 0 ? (num(kernel.duration_ms) ?? 0) / totalMs : 1 / kernels.length
    for (const [reason, value] of Object.entries(kernel.stalls))
      if (num(value) !== null && reason !== 'selected') stalls[reason] = (stalls[reason] ?? 0) + (value as number) * weight
  }
  return {
    label,
    kernelCount: kernels.length,
    durationMs: totalMs,
    memoryPct: weighted(kernels, 'memory_throughput_pct'),
    computePct: weighted(kernels, 'sm_throughput_pct'),
    dramPct: weighted(kernels, 'dram_throughput_pct'),
    occupancyPct: weighted(kernels, 'achieved_occupancy_pct'),
    theoreticalOccupancyPct: weighted(kernels, 'theoretical_occupancy_pct'),
    tensorPct: weighted(kernels, 'tensor_pipe_pct'),
    l1HitPct: weighted(kernels, 'l1_hit_rate_pct'),
    l2HitPct: weighted(kernels, 'l2_hit_rate_pct'),
    dramReadBytes: summed(kernels, 'dram_bytes_read'),
    dramWriteBytes: summed(kernels, 'dram_bytes_write'),
    registers: num(heaviest.registers_per_thread),
    spills: summed(kernels, 'spills'),
    limiter: typeof heaviest.occupancy_limiter === 'string' ? heaviest.occupancy_limiter : null,
    stalls,
    collectionS: num(section.collection_s),
  }
}

/** The candidate's own ncu side, or the eager baseline profiled beside it. */
export function ncuSection(verdict: Verdict | null, which: 'candidate' | 'baseline'): unknown {
  const ncu = verdict?.ncu
  if (!isObject(ncu)) return null
  return which === 'candidate' ? ncu : ncu.baseline
}

/** Why a side has no kernels, in the harness's words. */
export function ncuSectionError(section: unknown): string | null {
  return isObject(section) && typeof section.error === 'string' ? section.error : null
}

/** Candidate lines with their share of ncu's stall samples, for the code view's heat gutter. */
export function heatLines(verdict: Verdict | null): { lines: HeatLine[]; error: string | null } {
  const ncu = verdict?.ncu
  const source = isObject(ncu) ? ncu.source : null
  if (!isObject(source)) return { lines: [], error: null }
  if (typeof source.error === 'string') return { lines: [], error: source.error }
  const lines = Array.isArray(source.lines)
    ? source.lines
        .filter(isObject)
        .map((line) => ({
          line: num(line.line) ?? 0,
          share: num(line.share) ?? 0,
          topStall: typeof line.top_stall === 'string' ? line.top_stall : null,
          text: String(line.text ?? ''),
        }))
        .filter((line) => line.line > 0 && line.share > 0)
    : []
  return { lines, error: null }
}
