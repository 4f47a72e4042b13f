import { hardwareFacts, type HardwareFacts, type SoftwareVersions } from '../../../agents/knowledge/hardware-facts.ts'
import { defaultHardwareOf } from '../../../agents/knowledge/index.ts'
import type { DeviceInfo, ToolchainReport } from '../../../agents/contract/index.ts'

/** The environment's torch and triton versions, from the toolchain report. */
export function hostVersions(report: () => Promise<ToolchainReport>) {
  return async (): Promise<SoftwareVersions> => {
    const toolchain = await report().catch(() => null)
    const version = (name: string) => toolchain?.packages.find((entry) => entry.name === name && entry.found)?.version ?? null
    return { torch: version('torch'), triton: version('triton') }
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
    const version = (name: string) => toolchain?.packages.find((entry) => entry.name === name && entry.found)?.version ?? null
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
    return hardwareFacts(properties, { hardwareId: defaultHardwareOf(device), torch: version('torch'), triton: version('triton') })
  }
}
