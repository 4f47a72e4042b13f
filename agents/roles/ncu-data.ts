import type { Verdict } from '../ports/index.ts'

/** One kernel as the harness's ncu section reports it (resources/harness/akg_harness/ncu_metrics.py). */
export interface NcuKernel {
  name: string
  dsl: boolean
  durationMs: number
  smPct: number | null
  memoryPct: number | null
  dramPct: number | null
  occupancyPct: number | null
  theoreticalOccupancyPct: number | null
  limiter: string | null
  blockLimits: Record<string, number>
  registers: number | null
  spills: number | null
  sharedBytes: number | null
  blockSize: number | null
  gridSize: number | null
  wavesPerSm: number | null
  l1HitPct: number | null
  l2HitPct: number | null
  dramBytes: number | null
  tensorPct: number | null
  issueActivePct: number | null
  /** Average warps stalled per issued instruction, by reason. */
  stalls: Record<string, number>
}

/** A candidate line with a share of ncu's sampled stalls. */
export interface HotSpot {
  line: number
  text: string
  share: number
  samples: number
  topStall: string | null
  topStallShare: number | null
  stalls: Record<string, number>
}

export interface NcuSide {
  kernels: NcuKernel[]
  totalMs: number
  collectionS: number | null
  cached: boolean
  hotSpots: HotSpot[]
  sourceError: string | null
}

type Loose = Record<string, unknown>
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value)
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)

function kernelOf(raw: Loose): NcuKernel {
  const stalls: Record<string, number> = {}
  if (isObject(raw.stalls)) for (const [reason, value] of Object.entries(raw.stalls)) if (num(value) !== null) stalls[reason] = value as number
  const blockLimits: Record<string, number> = {}
  for (const name of ['registers', 'shared_mem', 'warps', 'blocks']) {
    const value = num(raw[`block_limit_${name}`])
    if (value !== null) blockLimits[name] = value
  }
  return {
    name: String(raw.name ?? 'kernel'),
    dsl: raw.dsl === true,
    durationMs: num(raw.duration_ms) ?? 0,
    smPct: num(raw.sm_throughput_pct),
    memoryPct: num(raw.memory_throughput_pct),
    dramPct: num(raw.dram_throughput_pct),
    occupancyPct: num(raw.achieved_occupancy_pct),
    theoreticalOccupancyPct: num(raw.theoretical_occupancy_pct),
    limiter: typeof raw.occupancy_limiter === 'string' ? raw.occupancy_limiter : null,
    blockLimits,
    registers: num(raw.registers_per_thread),
    spills: num(raw.spills),
    sharedBytes: num(raw.shared_mem_bytes),
    blockSize: num(raw.block_size),
    gridSize: num(raw.grid_size),
    wavesPerSm: num(raw.waves_per_sm),
    l1HitPct: num(raw.l1_hit_rate_pct),
    l2HitPct: num(raw.l2_hit_rate_pct),
    dramBytes: num(raw.dram_bytes),
    tensorPct: num(raw.tensor_pipe_pct),
    issueActivePct: num(raw.issue_active_pct),
    stalls,
  }
}

function hotSpotsOf(source: unknown): HotSpot[] {
  if (!isObject(source) || !Array.isArray(source.lines)) return []
  return source.lines
    .filter(isObject)
    .map((line) => ({
      line: num(line.line) ?? 0,
      text: String(line.text ?? ''),
      share: num(line.share) ?? 0,
      samples: num(line.samples) ?? 0,
      topStall: typeof line.top_stall === 'string' ? line.top_stall : null,
      topStallShare: num(line.top_stall_share),
      stalls: isObject(line.stalls)
        ? (Object.fromEntries(Object.entries(line.stalls).filter(([, value]) => num(value) !== null)) as Record<string, number>)
        : {},
    }))
    .filter((spot) => spot.line > 0)
}

function sideOf(section: unknown): NcuSide | null {
  if (!isObject(section) || !Array.isArray(section.kernels)) return null
  const kernels = section.kernels.filter(isObject).map(kernelOf)
  return {
    kernels,
    totalMs: kernels.reduce((sum, kernel) => sum + kernel.durationMs, 0),
    collectionS: num(section.collection_s),
    cached: section.cached === true,
    hotSpots: hotSpotsOf(section.source),
    sourceError: isObject(section.source) && typeof section.source.error === 'string' ? section.source.error : null,
  }
}

/** The candidate's kernels (`ncu.kernels[]`) or the eager baseline's (`ncu.baseline.kernels[]`); null when not profiled. */
export function ncuSide(verdict: Verdict | null, which: 'candidate' | 'baseline'): NcuSide | null {
  const ncu = verdict?.ncu
  if (!isObject(ncu)) return null
  return which === 'candidate' ? sideOf(ncu) : sideOf(ncu.baseline)
}

/** Why ncu has nothing for a side, in the harness's words. */
export function ncuSideError(verdict: Verdict | null, which: 'candidate' | 'baseline'): string | null {
  const ncu = verdict?.ncu
  if (!isObject(ncu)) return null
  const section = which === 'candidate' ? ncu : ncu.baseline
  return isObject(section) && typeof section.error === 'string' ? section.error : null
}

/** The kernel that takes the most GPU time. */
export const dominant = (side: NcuSide | null): NcuKernel | null =>
  side?.kernels.reduce<NcuKernel | null>((best, kernel) => (!best || kernel.durationMs > best.durationMs ? kernel : best), null) ?? null
