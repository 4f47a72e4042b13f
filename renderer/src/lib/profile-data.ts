import type { TimingStats, Verdict } from '../../../agents/contract/index.ts'

/**
 * Reads what the profile views draw from a harness verdict. The harness writes `profile` (torch
 * profiler kernels per side), `ncu` (Nsight Compute metrics) and `roofline` (FLOPs, bytes, device
 * peaks); the reader accepts both our short names and raw ncu metric names, and returns null for
 * whatever the verdict lacks, so a view says "not measured" instead of drawing a zero.
 */
export interface KernelTime {
  name: string
  ms: number
  calls: number | null
}

export interface KernelMetrics {
  name: string
  durationMs: number | null
  dramThroughputPct: number | null
  smThroughputPct: number | null
  occupancyPct: number | null
  registersPerThread: number | null
  sharedMemoryBytes: number | null
}

export interface RooflinePoint {
  label: string
  intensity: number
  flopsPerSecond: number
}

export interface Roofline {
  peakFlopsPerSecond: number | null
  peakBytesPerSecond: number | null
  points: RooflinePoint[]
}

type Loose = Record<string, unknown>
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value)
const asNumber = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)

/** The first numeric field whose name matches, in order of preference. */
function pick(record: Loose, patterns: RegExp[]): number | null {
  for (const pattern of patterns) {
    for (const [key, value] of Object.entries(record)) if (pattern.test(key) && asNumber(value) !== null) return value as number
  }
  return null
}

function kernelList(side: unknown): Loose[] {
  if (Array.isArray(side)) return side.filter(isObject)
  if (isObject(side) && Array.isArray(side.kernels)) return side.kernels.filter(isObject)
  return []
}

const SIDE_NAMES = {
  candidate: ['candidate', 'model_new', 'ModelNew', 'new'],
  eager: ['eager', 'reference', 'baseline', 'model'],
  compile: ['compile', 'torch_compile'],
}

function side(container: unknown, which: keyof typeof SIDE_NAMES): unknown {
  if (!isObject(container)) return undefined
  for (const name of SIDE_NAMES[which]) if (name in container) return container[name]
  return undefined
}

/**
 * Kernel-time breakdown of one side (candidate, eager) from the torch profiler, per forward: the
 * harness profiles `runs` forwards and reports each kernel's total over them.
 */
export function kernelTimes(verdict: Verdict | null, which: keyof typeof SIDE_NAMES): KernelTime[] {
  const runs = isObject(verdict?.profile) ? (asNumber(verdict.profile.runs) ?? 1) : 1
  const list = kernelList(side(verdict?.profile, which))
  return list
    .map((kernel) => {
      const total = pick(kernel, [/^total_ms$/]) ?? pick(kernel, [/^(self_)?(device|cuda|cpu)?_?time_ms$/, /time.*_ms$/])
      return {
        name: String(kernel.name ?? kernel.kernel ?? 'kernel'),
        ms: total !== null ? total / runs : 0,
        calls: pick(kernel, [/^calls_per_forward$/]) ?? pick(kernel, [/^calls$/]),
      }
    })
    .filter((kernel) => kernel.ms > 0)
    .sort((a, b) => b.ms - a.ms)
}

/** What the profile's times measure: device kernel time on a GPU, CPU op time on the CPU. */
export function profileUnit(verdict: Verdict | null): string | null {
  const candidate = side(verdict?.profile, 'candidate')
  return isObject(candidate) && typeof candidate.unit === 'string' ? candidate.unit : null
}

/** Why ncu metrics are missing, in the harness's words ("ncu needs a CUDA device"). */
export function ncuError(verdict: Verdict | null): string | null {
  return isObject(verdict?.ncu) && typeof verdict.ncu.error === 'string' ? verdict.ncu.error : null
}

function metricsOf(kernel: Loose): KernelMetrics {
  const durationNs = pick(kernel, [/duration.*ns$/, /gpu__time_duration/])
  const durationUs = pick(kernel, [/duration.*us$/])
  const staticShared = pick(kernel, [/shared_mem.*static/])
  const dynamicShared = pick(kernel, [/shared_mem.*dynamic/])
  return {
    name: String(kernel.name ?? kernel.kernel ?? 'kernel'),
    durationMs: pick(kernel, [/duration_ms$/]) ?? (durationUs !== null ? durationUs / 1000 : durationNs !== null ? durationNs / 1e6 : null),
    dramThroughputPct: pick(kernel, [/^dram_throughput/, /dram__throughput/, /dram/]),
    smThroughputPct: pick(kernel, [/^sm_throughput/, /sm__throughput/, /compute.*throughput/]),
    occupancyPct: pick(kernel, [/achieved_occupancy/, /sm__warps_active/, /occupancy/]),
    registersPerThread: pick(kernel, [/registers_per_thread/, /launch__registers/, /registers/]),
    sharedMemoryBytes:
      pick(kernel, [/^shared_memory_bytes$/, /shared_mem.*total/]) ??
      (staticShared !== null || dynamicShared !== null ? (staticShared ?? 0) + (dynamicShared ?? 0) : pick(kernel, [/shared/])),
  }
}

/** Nsight Compute metrics of one side's kernels (the candidate's, or the baseline's when profiled). */
export function ncuKernels(verdict: Verdict | null, which: 'candidate' | 'eager'): KernelMetrics[] {
  const ncu = verdict?.ncu
  const chosen = side(ncu, which) ?? (which === 'candidate' && isObject(ncu) ? ncu : undefined)
  return kernelList(chosen).map(metricsOf)
}

/** The heaviest kernel of a side sums the picture for the side-by-side table. */
export function dominantKernel(kernels: KernelMetrics[]): KernelMetrics | null {
  return kernels.reduce<KernelMetrics | null>((best, kernel) => (!best || (kernel.durationMs ?? 0) > (best.durationMs ?? 0) ? kernel : best), null)
}

/**
 * Roofline points: achieved FLOP/s against arithmetic intensity. The task's FLOPs are the same for
 * every side; the candidate's bytes are ncu's measured DRAM bytes when there are some, else the
 * task's minimum bytes, which the baselines use too. Reads the harness's roofline section
 * (flops, bytes, peak_flops in FLOP/s, peak_bandwidth_gbs in GB/s).
 */
export function roofline(verdict: Verdict | null): Roofline | null {
  const data = verdict?.roofline
  const timing = verdict?.timing
  if (!data) return null
  const flops = pick(data, [/^flops$/])
  const bytes = pick(data, [/^bytes$/])
  const peakFlopsPerSecond = pick(data, [/^peak_flops$/]) ?? ((pick(data, [/^peak_tflops$/]) ?? NaN) * 1e12 || null)
  const gigabytes = pick(data, [/^peak_bandwidth_gbs$/])
  const peakBytesPerSecond = gigabytes !== null ? gigabytes * 1e9 : null
  const points: RooflinePoint[] = []
  const add = (label: string, ms: number | null | undefined, sideBytes: number | null) => {
    const used = sideBytes ?? bytes
    if (!flops || used === null || !ms || used <= 0) return
    points.push({ label, intensity: flops / used, flopsPerSecond: flops / (ms / 1000) })
  }
  add('candidate', timing?.candidate.median_ms, pick(data, [/^measured_dram_bytes$/]))
  add('eager', timing?.eager?.median_ms, null)
  add('torch.compile', timing?.compile?.median_ms, null)
  return { peakFlopsPerSecond, peakBytesPerSecond, points }
}

/** Achieved bandwidth per side against the device's peak, for kernels whose FLOPs are not counted. */
export function bandwidthUse(verdict: Verdict | null): { peakGbs: number | null; sides: Array<{ label: string; gbs: number }> } | null {
  const data = verdict?.roofline
  const bytes = data ? pick(data, [/^bytes$/]) : null
  if (!data || !bytes) return null
  const timing = verdict?.timing
  const sides = (
    [
      ['candidate', timing?.candidate.median_ms],
      ['eager', timing?.eager?.median_ms],
      ['torch.compile', timing?.compile?.median_ms],
    ] as const
  )
    .filter(([, ms]) => ms)
    .map(([label, ms]) => ({ label, gbs: bytes / ((ms as number) / 1000) / 1e9 }))
  return { peakGbs: pick(data, [/^peak_bandwidth_gbs$/]), sides }
}

/** Where a box plot's quartiles came from: every sample, the verdict's percentiles, or an approximation from the IQR. */
export type QuartileSource = 'samples' | 'percentiles' | 'approximate'

/** Box-plot numbers of a timing: true quartiles from samples or reported percentiles; an approximation for older verdicts. */
export function latencyBox(stats: TimingStats | null | undefined): { box: [number, number, number, number, number]; source: QuartileSource } | null {
  if (!stats) return null
  const samples = (stats as TimingStats & { samples_ms?: unknown }).samples_ms
  if (Array.isArray(samples) && samples.length >= 4 && samples.every((value) => typeof value === 'number')) {
    const sorted = [...(samples as number[])].sort((a, b) => a - b)
    const quantile = (q: number) => {
      const position = (sorted.length - 1) * q
      const low = Math.floor(position)
      const high = Math.ceil(position)
      return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low)
    }
    return { box: [sorted[0] as number, quantile(0.25), quantile(0.5), quantile(0.75), sorted.at(-1) as number], source: 'samples' }
  }
  if (typeof stats.p25_ms === 'number' && typeof stats.p75_ms === 'number') {
    return { box: [stats.min_ms, stats.p25_ms, stats.median_ms, stats.p75_ms, stats.max_ms], source: 'percentiles' }
  }
  // Verdicts from before the harness reported percentiles: the IQR's width centred on the median, kept inside min and max; said so under the chart.
  const low = Math.max(stats.min_ms, stats.median_ms - stats.iqr_ms / 2)
  const high = Math.min(stats.max_ms, stats.median_ms + stats.iqr_ms / 2)
  return { box: [stats.min_ms, low, stats.median_ms, high, stats.max_ms], source: 'approximate' }
}
