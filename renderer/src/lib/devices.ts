import type { Dsl, ToolchainReport } from '../../../agents/contract/index.ts'
import { defaultDsl, dslNames, dslRegistry } from '../../../agents/contract/registry.ts'

/** The devices this machine offers, read from the toolchain report's torch entry ("(CUDA 12.8, 2 GPU)"). */
export function localDevices(report: ToolchainReport | undefined): string[] {
  const torch = report?.packages.find((tool) => tool.name === 'torch')
  const count = Number(/(\d+) GPU\)/.exec(torch?.version ?? '')?.[1] ?? 0)
  return [...Array.from({ length: count }, (_, index) => `cuda:${index}`), 'cpu']
}

/** A GPU's default DSL on the first GPU, else the CPU's (the registry's defaultDsl). */
export function defaultTarget(devices: string[]): { dsl: Dsl; device: string } {
  const gpu = devices.find((device) => device.startsWith('cuda') || device.startsWith('npu'))
  return gpu ? { dsl: defaultDsl.gpu, device: gpu } : { dsl: defaultDsl.cpu, device: 'cpu' }
}

/** A DSL that cannot run on a device is said plainly before the run starts, not after it fails. */
export function targetProblem(dsl: Dsl, device: string): string | null {
  const cpu = device === 'cpu' || device.endsWith(':cpu')
  const entry = dslRegistry[dsl]
  if (cpu && entry.cpuInterpreter) return `${entry.label} on the CPU runs in its interpreter: correctness is checked, but nothing is timed.`
  if (cpu && !entry.devices.includes('cpu')) {
    const onCpu = dslNames.filter((name) => dslRegistry[name].devices.includes('cpu'))
    const interpreted = dslNames.filter((name) => dslRegistry[name].cpuInterpreter)
    const gpu = entry.devices.includes('npu') ? 'a GPU or NPU' : 'an NVIDIA GPU'
    return `${dsl} needs ${gpu}; on the CPU choose ${onCpu.join(' or ')}${interpreted.map((name) => `, or ${name} (checked in its interpreter, without timing)`).join('')}.`
  }
  if (!cpu && !entry.devices.some((kind) => kind !== 'cpu')) return `${dsl} candidates run on the CPU; the device is used only for the baselines.`
  return null
}

export const DSL_LABELS: Readonly<Record<Dsl, string>> = Object.fromEntries(dslNames.map((dsl) => [dsl, dslRegistry[dsl].label])) as Record<Dsl, string>
