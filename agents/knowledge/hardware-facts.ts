import { hardwareFromDeviceName } from './hardware.ts'
import type { HardwareId } from './metadata.ts'

/** The numbers a kernel author sizes tiles and grids by, for the device a run targets. */
export interface HardwareFacts {
  /** As the driver names it ("NVIDIA H200"), or the sheet's name when only the sheet is known. */
  name: string
  smCount: number | null
  memoryGb: number | null
  bandwidthGbs: number | null
  l2Mb: number | null
  sharedPerSmKb: number | null
  sharedPerBlockKb: number | null
  registersPerSm: number | null
  maxThreadsPerSm: number | null
  computeCapability: string | null
  torch: string | null
  triton: string | null
  /** Where the numbers came from: the device's own properties, the studio's sheet, or both. */
  source: string
}

/** The CPU a CPU run's kernels run on, as the machine reports it. */
export interface CpuFacts {
  name: string
  cores: number | null
  cacheMb: number | null
  memoryGb: number | null
  simd: string[]
}

/** The installed torch and triton versions (null where not found), and the CPU where it was reported. */
export interface HostFacts {
  torch: string | null
  triton: string | null
  cpu?: CpuFacts | null
}

/** What the device reports about itself (harness detect / torch device properties); any field may be missing. */
export interface DeviceProperties {
  name?: string | null
  smCount?: number | null
  memoryGb?: number | null
  l2Bytes?: number | null
  computeCapability?: string | null
  peakBandwidthGbs?: number | null
}

type Sheet = Omit<HardwareFacts, 'torch' | 'triton' | 'source'>

/**
 * Per-device figures from the shipped sheets (resources/knowledge/hardware), for the SXM parts;
 * a device's own properties win where it reports them (an H100 PCIe has 114 SMs, not 132).
 */
const sheets: Partial<Record<HardwareId, Sheet>> = {
  h100: {
    name: 'NVIDIA H100 SXM5',
    smCount: 132,
    memoryGb: 80,
    bandwidthGbs: 3350,
    l2Mb: 50,
    sharedPerSmKb: 228,
    sharedPerBlockKb: 227,
    registersPerSm: 65536,
    maxThreadsPerSm: 2048,
    computeCapability: '9.0',
  },
  h200: {
    name: 'NVIDIA H200 SXM',
    smCount: 132,
    memoryGb: 141,
    bandwidthGbs: 4800,
    l2Mb: 50,
    sharedPerSmKb: 228,
    sharedPerBlockKb: 227,
    registersPerSm: 65536,
    maxThreadsPerSm: 2048,
    computeCapability: '9.0',
  },
  a100: {
    name: 'NVIDIA A100 SXM4 80GB',
    smCount: 108,
    memoryGb: 80,
    bandwidthGbs: 2039,
    l2Mb: 40,
    sharedPerSmKb: 164,
    sharedPerBlockKb: 163,
    registersPerSm: 65536,
    maxThreadsPerSm: 2048,
    computeCapability: '8.0',
  },
}

const empty: Sheet = {
  name: '',
  smCount: null,
  memoryGb: null,
  bandwidthGbs: null,
  l2Mb: null,
  sharedPerSmKb: null,
  sharedPerBlockKb: null,
  registersPerSm: null,
  maxThreadsPerSm: null,
  computeCapability: null,
}

/**
 * The facts for one device: its reported properties over the sheet of its model. Null when neither
 * names a GPU the studio knows and the device reports nothing (a CPU run gets no GPU facts).
 */
export function hardwareFacts(
  device: DeviceProperties | null,
  options: { hardwareId?: string | null; torch?: string | null; triton?: string | null } = {},
): HardwareFacts | null {
  const id = (device?.name ? hardwareFromDeviceName(device.name) : null) ?? (options.hardwareId as HardwareId | null | undefined) ?? null
  const sheet = id ? sheets[id] : undefined
  const reported = Boolean(device && (device.smCount || device.l2Bytes || device.computeCapability))
  if (!sheet && !reported) return null
  const base = sheet ?? empty
  return {
    name: device?.name || base.name || 'unknown GPU',
    smCount: device?.smCount ?? base.smCount,
    memoryGb: device?.memoryGb ?? base.memoryGb,
    bandwidthGbs: device?.peakBandwidthGbs ?? base.bandwidthGbs,
    l2Mb: device?.l2Bytes ? Math.round(device.l2Bytes / 2 ** 20) : base.l2Mb,
    sharedPerSmKb: base.sharedPerSmKb,
    sharedPerBlockKb: base.sharedPerBlockKb,
    registersPerSm: base.registersPerSm,
    maxThreadsPerSm: base.maxThreadsPerSm,
    computeCapability: device?.computeCapability ?? base.computeCapability,
    torch: options.torch ?? null,
    triton: options.triton ?? null,
    source: sheet && reported ? 'device properties and the studio sheet' : sheet ? 'the studio sheet (the device reported nothing)' : 'device properties',
  }
}

/** The facts as prompt lines; a missing number is left out rather than guessed. */
export function formatHardwareFacts(facts: HardwareFacts): string {
  const parts: string[] = []
  const add = (label: string, value: number | string | null, unit = '') => {
    if (value !== null && value !== '') parts.push(`- ${label}: ${value}${unit}`)
  }
  add('GPU', facts.name)
  add('Compute capability', facts.computeCapability)
  add('SMs', facts.smCount)
  add('Memory', facts.memoryGb, ' GB')
  add('Peak DRAM bandwidth', facts.bandwidthGbs === null ? null : Math.round(facts.bandwidthGbs), ' GB/s')
  add('L2 cache', facts.l2Mb, ' MB')
  add(
    'Shared memory',
    facts.sharedPerSmKb === null ? null : `${facts.sharedPerSmKb} KB per SM, ${facts.sharedPerBlockKb ?? '?'} KB per block (opt-in above 48 KB)`,
  )
  add('Registers', facts.registersPerSm === null ? null : `${facts.registersPerSm} 32-bit per SM, at most 255 per thread`)
  add('Threads', facts.maxThreadsPerSm === null ? null : `${facts.maxThreadsPerSm} per SM, 1024 per block`)
  add('PyTorch', facts.torch)
  add('Triton', facts.triton)
  return parts.join('\n')
}

/** A CPU's reported facts as prompt lines (what it did not report is left out). */
export function formatCpuFacts(cpu: CpuFacts): string {
  const parts = [`- CPU: ${cpu.name}`]
  if (cpu.cores) parts.push(`- Cores: ${cpu.cores}`)
  if (cpu.simd.length > 0) parts.push(`- Vector extensions: ${cpu.simd.join(', ')}`)
  if (cpu.cacheMb) parts.push(`- Last-level cache: ${cpu.cacheMb} MB`)
  if (cpu.memoryGb) parts.push(`- Memory: ${cpu.memoryGb} GB`)
  return parts.join('\n')
}
