import { detectDsl, deviceKind, dslRegistry, type Dsl } from '../../../agents/contract/registry.ts'
import { runCommand } from '../exec.ts'

/** Compute capability majors to the family names presets match on. */
function familyOf(computeCapability: string): string {
  const [major, minor] = computeCapability.split('.').map(Number)
  if (major === 9) return 'hopper'
  if (major === 8 && minor === 9) return 'ada'
  if (major === 8) return 'ampere'
  if (major !== undefined && major >= 10) return 'blackwell'
  return 'other-gpu'
}

let cached: Promise<string> | null = null

/**
 * The device family a scenario is matched on. Triton on the CPU runs through its interpreter, which
 * checks correctness only; a CUDA device is asked its compute capability (nvidia-smi, once per process).
 */
export async function resolveDeviceFamily(dsl: Dsl, device: string): Promise<string> {
  // A remote device reads host:cuda:1; the kind is the part before the index.
  const kind = deviceKind(device)
  if (kind === 'cpu') return dslRegistry[dsl].cpuInterpreter ? 'cpu-interpreter' : 'cpu'
  if (kind === 'npu') return 'npu'
  cached ??= runCommand('nvidia-smi', ['--query-gpu=compute_cap', '--format=csv,noheader'], { timeoutMs: 10_000 }).then((result) => {
    const first = result.stdout.split('\n')[0]?.trim() ?? ''
    return result.code === 0 && /^\d+\.\d+$/.test(first) ? familyOf(first) : 'other-gpu'
  })
  return cached
}

/** The DSL a candidate is written in, read from its text (the registry's detector), for when the caller does not say. */
export function guessDsl(source: string): Dsl | null {
  return detectDsl(source).dsl
}
