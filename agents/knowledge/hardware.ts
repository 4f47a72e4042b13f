import { hardwareFamilies, hardwareIds, type HardwareFamily, type HardwareId, type HardwareTarget } from './metadata.ts'

/**
 * Maps a device name as drivers and tools print it ("NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-80GB",
 * "Ascend910B2", "cpu") to the id of its sheet, or null when the studio has no sheet for it.
 * H100 PCIe and NVL parts map to h100: same architecture, but their sheet notes the lower limits.
 */
export function hardwareFromDeviceName(name: string): HardwareId | null {
  const text = name.toLowerCase().replace(/[\s_-]+/g, '')
  if (/^cpu$|x8664|amd64|aarch64|xeon|epyc|ryzen|core\(tm\)/.test(text)) return 'cpu'
  if (text.includes('h200')) return 'h200'
  if (text.includes('h100') || text.includes('h800')) return 'h100'
  if (text.includes('a100') || text.includes('a800')) return 'a100'
  if (/ascend910b|910b[1-4]?/.test(text)) return 'ascend910b'
  return (hardwareIds as readonly string[]).includes(text) ? (text as HardwareId) : null
}

/**
 * How well a document's hardware list fits the device being targeted:
 * 'exact' when it names the device, 'family' when it names a family holding it, 'any' when it
 * is for any hardware, null when it is for other hardware.
 */
export function hardwareMatch(documentTargets: readonly HardwareTarget[], device: string): 'exact' | 'family' | 'any' | null {
  const id = (hardwareIds as readonly string[]).includes(device) ? (device as HardwareId) : null
  if (id && documentTargets.includes(id)) return 'exact'
  // A query for a whole family (say, "hopper") is exactly served by a document for that family.
  if (device in hardwareFamilies && documentTargets.includes(device as HardwareFamily)) return 'exact'
  if (id) {
    for (const target of documentTargets) {
      if (target in hardwareFamilies && (hardwareFamilies[target as HardwareFamily] as readonly string[]).includes(id)) return 'family'
    }
  }
  if (documentTargets.includes('any')) return 'any'
  return null
}
