import type { Dsl, ToolchainReport } from '../../../agents/contract/index.ts'

/** The devices this machine offers, read from the toolchain report's torch entry ("(CUDA 12.8, 2 GPU)"). */
export function localDevices(report: ToolchainReport | undefined): string[] {
  const torch = report?.packages.find((tool) => tool.name === 'torch')
  const count = Number(/(\d+) GPU\)/.exec(torch?.version ?? '')?.[1] ?? 0)
  return [...Array.from({ length: count }, (_, index) => `cuda:${index}`), 'cpu']
}

/** cpp runs on the CPU; triton, cuda_c and tilelang want a GPU (triton falls back to its interpreter on CPU). */
export function defaultTarget(devices: string[]): { dsl: Dsl; device: string } {
  const gpu = devices.find((device) => device.startsWith('cuda') || device.startsWith('npu'))
  return gpu ? { dsl: 'triton', device: gpu } : { dsl: 'cpp', device: 'cpu' }
}

/** A DSL that cannot run on a device is said plainly before the run starts, not after it fails. */
export function targetProblem(dsl: Dsl, device: string): string | null {
  const cpu = device === 'cpu' || device.endsWith(':cpu')
  if (cpu && (dsl === 'cuda_c' || dsl === 'tilelang')) return `${dsl} needs an NVIDIA GPU; on the CPU choose cpp, or triton (checked in its interpreter, without timing).`
  if (cpu && dsl === 'triton') return 'Triton on the CPU runs in its interpreter: correctness is checked, but nothing is timed.'
  if (!cpu && dsl === 'cpp') return 'cpp candidates run on the CPU; the device is used only for the baselines.'
  return null
}

export const DSL_LABELS: Record<Dsl, string> = { triton: 'Triton', cuda_c: 'CUDA C++', cpp: 'C++ (OpenMP, CPU)', tilelang: 'TileLang' }
