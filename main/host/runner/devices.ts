/** A device a worker serves: which host, which device kind and index, and the environment that pins it. */
export interface SlotSpec {
  /** Unique across the runner: `local:cuda:0`, `gpu-box:cuda:1`, `local:cpu#0`. */
  key: string
  host: string
  kind: 'cpu' | 'cuda' | 'npu'
  /** The device index on its host; null for CPU slots. */
  index: number | null
  /** Variables that make this device the only one the worker sees. */
  env: Record<string, string>
}

export interface DeviceTarget {
  /** null: any host the runner has. */
  host: string | null
  kind: 'cpu' | 'cuda' | 'npu'
  index: number | null
}

const KINDS = new Set(['cpu', 'cuda', 'npu'])

/**
 * Reads a request's device: `cpu`, `cuda`, `cuda:1`, `npu:0`, or the same behind a host name
 * (`gpu-box:cuda:1`). A bare kind may be served by any host's device of that kind.
 */
export function parseDevice(device: string): DeviceTarget | null {
  const parts = device.trim().split(':')
  let host: string | null = null
  if (parts.length > 0 && !KINDS.has(parts[0] ?? '')) host = parts.shift() as string
  const kind = parts[0] ?? ''
  if (!KINDS.has(kind) || parts.length > 2) return null
  if (parts.length === 2 && !/^\d+$/.test(parts[1] ?? '')) return null
  const index = parts.length === 2 ? Number(parts[1]) : null
  if (kind === 'cpu' && index !== null) return null
  return { host: host === 'local' ? 'local' : host, kind: kind as DeviceTarget['kind'], index }
}

export const slotServes = (slot: SlotSpec, target: DeviceTarget): boolean =>
  slot.kind === target.kind && (target.host === null || target.host === slot.host) && (target.index === null || target.index === slot.index)

/** The device name the harness inside a pinned worker should use: the only visible device. */
export const workerDevice = (slot: SlotSpec): string => (slot.kind === 'cpu' ? 'cpu' : `${slot.kind}:0`)

/** What a host's harness `detect` told us, reduced to what slot planning needs. */
export interface HostDevices {
  cuda: number
  npu: number
  cpuCores: number
}

/**
 * One slot per GPU or NPU, pinned by CUDA_VISIBLE_DEVICES / ASCEND_RT_VISIBLE_DEVICES, plus the CPU
 * slots. CPU workers split the cores between them so two workers do not fight over threads.
 */
export function planSlots(host: string, devices: HostDevices, cpuSlots: number): SlotSpec[] {
  const slots: SlotSpec[] = []
  for (let index = 0; index < devices.cuda; index++) {
    slots.push({ key: `${host}:cuda:${index}`, host, kind: 'cuda', index, env: { CUDA_VISIBLE_DEVICES: String(index) } })
  }
  for (let index = 0; index < devices.npu; index++) {
    slots.push({ key: `${host}:npu:${index}`, host, kind: 'npu', index, env: { ASCEND_RT_VISIBLE_DEVICES: String(index) } })
  }
  const threads = String(Math.max(1, Math.floor(devices.cpuCores / Math.max(1, cpuSlots))))
  for (let index = 0; index < cpuSlots; index++) {
    // No GPU for CPU workers: a CPU evaluation must not grab a context on a device another worker owns.
    slots.push({
      key: `${host}:cpu#${index}`,
      host,
      kind: 'cpu',
      index: null,
      env: { CUDA_VISIBLE_DEVICES: '', ASCEND_RT_VISIBLE_DEVICES: '', OMP_NUM_THREADS: threads },
    })
  }
  return slots
}

/** One CPU worker per two cores, at least one: torch's own threads use the rest. */
export const defaultCpuSlots = (cores: number): number => Math.max(1, Math.floor(cores / 2))
