import { hardwareFacts, type HardwareFacts, type HostFacts } from '../../../agents/knowledge/hardware-facts.ts'
import { defaultHardwareOf } from '../../../agents/knowledge/index.ts'
import type { DeviceInfo, ToolchainReport } from '../../../agents/contract/index.ts'

/** An installed package's version from the toolchain report, null where it was not found. */
const packageVersion = (toolchain: ToolchainReport | null, name: string): string | null =>
  toolchain?.packages.find((entry) => entry.name === name && entry.found)?.version ?? null

/**
 * The environment's torch and triton versions and, for a run on this machine's CPU, that CPU, from
 * the toolchain report (a remote host's CPU is not this one: it gets none).
 */
export function hostFacts(report: () => Promise<ToolchainReport>) {
  return async (device: string): Promise<HostFacts> => {
    const toolchain = await report().catch(() => null)
    const cpu = /^(?:local:)?cpu$/.test(device) ? toolchain?.devices?.find((entry) => entry.kind === 'cpu') : undefined
    return {
      torch: packageVersion(toolchain, 'torch'),
      triton: packageVersion(toolchain, 'triton'),
      cpu: cpu
        ? {
            name: cpu.name,
            cores: cpu.cores ?? null,
            cacheMb: cpu.cache_bytes ? Math.round(cpu.cache_bytes / 2 ** 20) : null,
            memoryGb: cpu.memory_gb,
            simd: cpu.simd ?? [],
          }
        : null,
    }
  }
}

/**
 * The hardware facts every prompt carries, for a run's device: the toolchain report's device
 * (name, SMs, memory, L2, capability, peak bandwidth) over the studio's sheet of its model, with
 * the environment's torch and triton versions. `cuda:0` is resolved through the report; a remote
 * device (`box:cuda:0`) or a name without a report falls back to the sheet named in the string.
 */
export function hostHardwareFacts(report: () => Promise<ToolchainReport>) {
  return async (device: string): Promise<HardwareFacts | null> => {
    const toolchain = await report().catch(() => null)
    const match = /^(?:local:)?(cuda|npu)(?::(\d+))?$/.exec(device)
    const info: DeviceInfo | undefined = match
      ? toolchain?.devices?.find((entry) => entry.kind === match[1] && entry.index === Number(match[2] ?? 0))
      : undefined
    const properties = info
      ? {
          name: info.name,
          smCount: info.sm_count ?? null,
          memoryGb: info.memory_gb,
          l2Bytes: info.l2_bytes ?? null,
          computeCapability: info.capability,
          peakBandwidthGbs: info.peak_bandwidth_gbs ?? null,
        }
      : null
    return hardwareFacts(properties, {
      hardwareId: defaultHardwareOf(device),
      torch: packageVersion(toolchain, 'torch'),
      triton: packageVersion(toolchain, 'triton'),
    })
  }
}
