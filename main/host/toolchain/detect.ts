import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { harnessEnvironment } from '../runner/harness-environment.ts'
import type { DeviceInfo, SandboxStatus, ToolchainReport, ToolStatus } from '../../../agents/contract/index.ts'
import { runCommand, type CommandRunner } from '../exec.ts'
import { PYTHON_PROBE, type PythonProbeResult } from './python-probe.ts'

/** Importing torch cold can take several seconds on a slow disk. */
const PYTHON_PROBE_TIMEOUT_MS = 60_000
const EXECUTABLE_TIMEOUT_MS = 10_000

/** Said instead of a pip command when the interpreter is the system's: the studio never installs there. */
export const SYSTEM_PYTHON_ADVICE =
  'this is the system Python, which the studio does not install into: create the project environment (Toolchains, or npm start), or choose a venv or conda environment'

const PACKAGE_INSTALL: Record<string, string> = {
  // Without an index PyPI serves the multi-GB CUDA build; the CPU index is named so no one pulls it by accident.
  torch: 'python -m pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu (CPU build; the CUDA builds are at /whl/cu128 or /whl/cu130)',
  triton: 'python -m pip install triton',
  tilelang: 'python -m pip install tilelang',
  torch_npu: 'python -m pip install torch-npu (needs the Ascend CANN toolkit)',
  numpy: 'python -m pip install numpy',
}

interface ExecutableSpec {
  name: string
  args: string[]
  parse: (output: string) => string | null
  install: string
}

const firstMatch = (pattern: RegExp) => (output: string) => pattern.exec(output)?.[1] ?? null

const EXECUTABLES: ExecutableSpec[] = [
  {
    name: 'nvcc',
    args: ['--version'],
    parse: firstMatch(/release ([\d.]+)/),
    install: "install the CUDA toolkit (apt install nvidia-cuda-toolkit, or NVIDIA's installer)",
  },
  { name: 'ncu', args: ['--version'], parse: firstMatch(/Version ([\d.]+)/), install: 'install Nsight Compute (ships with the CUDA toolkit)' },
  {
    name: 'nvidia-smi',
    args: ['--query-gpu=name,driver_version', '--format=csv,noheader'],
    parse: (output) => output.trim().split('\n')[0] || null,
    install: 'install the NVIDIA driver',
  },
  { name: 'npu-smi', args: ['info'], parse: firstMatch(/Version:\s*([\w.]+)/), install: 'install the Ascend driver and CANN toolkit' },
]

/** The interpreter to inspect: the user's choice, else the project venv, else python3 on PATH. */
export function defaultPython(appRoot: string, configured: string | null): string {
  if (configured) return configured
  const venv = join(appRoot, '.venv', 'bin', 'python')
  return existsSync(venv) ? venv : 'python3'
}

export function findOnPath(name: string, pathValue = process.env.PATH ?? ''): string | null {
  for (const folder of pathValue.split(delimiter)) {
    if (!folder) continue
    const candidate = join(folder, name)
    if (existsSync(candidate)) return candidate
  }
  return null
}

export async function detectToolchain(python: string, harnessDir?: string, run: CommandRunner = runCommand): Promise<ToolchainReport> {
  const started = Date.now()
  const [pythonPart, executables, harness] = await Promise.all([
    detectPython(python, run),
    Promise.all(EXECUTABLES.map((spec) => detectExecutable(spec, run))),
    harnessDir ? detectWithHarness(python, harnessDir, run) : Promise.resolve(null),
  ])
  return {
    detectedAt: new Date().toISOString(),
    python: pythonPart.python,
    packages: withInterpreter([...pythonPart.packages, ...(harness ? [harness.status] : [])], python, pythonPart.isolated),
    devices: harness?.devices.length ? harness.devices : pythonPart.devices,
    sandbox: harness?.sandbox ?? null,
    executables,
    durationMs: Date.now() - started,
  }
}

async function detectPython(
  python: string,
  run: CommandRunner,
): Promise<{ python: ToolStatus; packages: ToolStatus[]; devices: DeviceInfo[]; isolated: boolean }> {
  const result = await run(python, ['-c', PYTHON_PROBE], { timeoutMs: PYTHON_PROBE_TIMEOUT_MS })
  const missing = (reason: string) => ({
    python: {
      name: 'python',
      kind: 'interpreter' as const,
      found: false,
      version: null,
      path: python,
      reason,
      install: 'install Python 3.10+ and choose it in Toolchains',
    },
    packages: Object.keys(PACKAGE_INSTALL).map((name) => packageStatus(name, null, `not checked: ${reason}`)),
    devices: [],
    isolated: false,
  })
  if (result.spawnError) return missing(`${python} could not be started (${result.spawnError})`)
  if (result.timedOut) return missing(`${python} did not answer within ${PYTHON_PROBE_TIMEOUT_MS / 1000} s`)
  let probe: PythonProbeResult
  try {
    probe = JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as PythonProbeResult
  } catch {
    return missing(`${python} exited with ${result.code}: ${result.stderr.trim().split('\n').pop() ?? 'no output'}`)
  }
  return {
    python: { name: 'python', kind: 'interpreter', found: true, version: probe.python, path: probe.executable, reason: null, install: null },
    packages: Object.entries(probe.packages).map(([name, entry]) => {
      if (entry.version === null) return packageStatus(name, null, `${entry.error ?? 'not importable'} (in ${probe.executable})`)
      const cuda = name === 'torch' ? describeTorchDevice(entry) : ''
      return packageStatus(name, `${entry.version}${cuda}`, null)
    }),
    devices: probe.devices ?? [],
    isolated: probe.isolated ?? false,
  }
}

/**
 * Install hints name the interpreter itself (`pip` on PATH may belong to another environment), and
 * only for a venv or conda environment: the system interpreter gets the project environment instead.
 */
function withInterpreter(statuses: ToolStatus[], python: string, isolated: boolean): ToolStatus[] {
  return statuses.map((status) => {
    if (!status.install?.startsWith('python ')) return status
    return { ...status, install: isolated ? `${python} ${status.install.slice('python '.length)}` : SYSTEM_PYTHON_ADVICE }
  })
}

function describeTorchDevice(entry: PythonProbeResult['packages'][string]): string {
  if (entry.cuda_available) return ` (CUDA ${entry.cuda ?? '?'}, ${entry.device_count ?? 0} GPU)`
  return entry.cuda ? ` (CUDA ${entry.cuda} build, no GPU visible)` : ' (CPU build)'
}

function packageStatus(name: string, version: string | null, reason: string | null): ToolStatus {
  return {
    name,
    kind: 'python-package',
    found: version !== null,
    version,
    path: null,
    reason,
    install: version === null ? (PACKAGE_INSTALL[name] ?? null) : null,
  }
}

async function detectExecutable(spec: ExecutableSpec, run: CommandRunner): Promise<ToolStatus> {
  const base = { name: spec.name, kind: 'executable' as const }
  const path = findOnPath(spec.name)
  if (!path) return { ...base, found: false, version: null, path: null, reason: 'not on PATH', install: spec.install }
  const result = await run(path, spec.args, { timeoutMs: EXECUTABLE_TIMEOUT_MS })
  if (result.spawnError || result.timedOut || result.code !== 0) {
    const why = result.spawnError ?? (result.timedOut ? 'timed out' : lastLine(result.stderr || result.stdout) || `exit code ${result.code}`)
    return { ...base, found: false, version: null, path, reason: `found but not working: ${why}`, install: spec.install }
  }
  return { ...base, found: true, version: spec.parse(result.stdout) ?? 'unknown', path, reason: null, install: null }
}

const lastLine = (text: string) => text.trim().split('\n').pop() ?? ''

/** The harness's own `detect` (peaks included) sees the devices exactly as an evaluation will. */
async function detectWithHarness(
  python: string,
  harnessDir: string,
  run: CommandRunner,
): Promise<{ status: ToolStatus; devices: DeviceInfo[]; sandbox?: SandboxStatus | null }> {
  const env = harnessEnvironment(harnessDir)
  const result = await run(python, ['-m', 'akg_harness', 'detect', '--no-measure'], { timeoutMs: PYTHON_PROBE_TIMEOUT_MS, env })
  const base = { name: 'akg_harness', kind: 'python-package' as const, path: harnessDir }
  let report: { harness_version?: string; devices?: Array<Record<string, unknown>>; sandbox?: Record<string, unknown> }
  try {
    report = JSON.parse(result.stdout)
  } catch {
    const why = result.spawnError ?? (result.timedOut ? 'timed out' : lastLine(result.stderr) || `exit code ${result.code}`)
    return {
      status: {
        ...base,
        found: false,
        version: null,
        reason: `the harness cannot run in this environment: ${why}`,
        install: 'python -m pip install torch numpy (the harness needs torch)',
      },
      devices: [],
    }
  }
  const devices = (report.devices ?? []).map((device): DeviceInfo => {
    const [kind = 'cpu', index = '0'] = String(device.id ?? 'cpu').split(':')
    const memory = typeof device.memory_bytes === 'number' ? Math.round((device.memory_bytes / 2 ** 30) * 10) / 10 : null
    return {
      kind: (['cpu', 'cuda', 'npu'].includes(kind) ? kind : 'cpu') as DeviceInfo['kind'],
      index: Number(index) || 0,
      name: String(device.name ?? kind),
      memory_gb: memory,
      // The harness writes compute_capability; older probes wrote capability.
      capability: typeof device.compute_capability === 'string' ? device.compute_capability : typeof device.capability === 'string' ? device.capability : null,
      sm_count: typeof device.sm_count === 'number' ? device.sm_count : null,
      l2_bytes: typeof device.l2_bytes === 'number' ? device.l2_bytes : null,
      peak_bandwidth_gbs: typeof device.peak_bandwidth_gbs === 'number' ? device.peak_bandwidth_gbs : null,
      peak_tflops: (device.peak_tflops as Record<string, number> | undefined) ?? null,
      peaks_source: typeof device.peaks_source === 'string' ? device.peaks_source : null,
      ...(kind === 'cpu'
        ? {
            cores: typeof device.cores === 'number' ? device.cores : null,
            cache_bytes: typeof device.cache_bytes === 'number' ? device.cache_bytes : null,
            simd: Array.isArray(device.simd) ? device.simd.map(String) : null,
          }
        : {}),
    }
  })
  return {
    status: { ...base, found: true, version: report.harness_version ?? 'unknown', reason: null, install: null },
    devices,
    sandbox: sandboxStatus(report.sandbox),
  }
}

function sandboxStatus(raw: Record<string, unknown> | undefined): SandboxStatus | null {
  if (!raw) return null
  const text = (value: unknown) => (typeof value === 'string' ? value : null)
  return {
    available: raw.available === true,
    tool: text(raw.tool),
    version: text(raw.version),
    reason: text(raw.reason),
    install: text(raw.install),
    processLimit: text(raw.process_limit),
  }
}
