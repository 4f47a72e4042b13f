import { z } from 'zod'
import { route } from './define.ts'

/** One tool or package: its version when found, otherwise why it is missing and how to get it. */
export interface ToolStatus {
  name: string
  kind: 'interpreter' | 'python-package' | 'executable'
  found: boolean
  version: string | null
  path: string | null
  /** Why it is missing or unusable, in words a user can act on. */
  reason: string | null
  /** The command that would install it, where one is known. */
  install: string | null
}

/** A device the harness can run on: the CPU, or a GPU or NPU the environment's torch can see. */
export interface DeviceInfo {
  kind: 'cpu' | 'cuda' | 'npu'
  index: number
  name: string
  memory_gb: number | null
  capability: string | null
  /** Streaming multiprocessors and L2 size, where the device reports them (CUDA). */
  sm_count?: number | null
  l2_bytes?: number | null
  /** From the harness's `detect`: the roofline peaks it uses, and whether they were measured or tabled. */
  peak_bandwidth_gbs?: number | null
  peak_tflops?: Record<string, number> | null
  peaks_source?: string | null
  /** CPU only: cores, last-level cache and the vector extensions the CPU reports (avx2, avx512f, asimd, ...). */
  cores?: number | null
  cache_bytes?: number | null
  simd?: string[] | null
}

/** Whether candidates run inside a sandbox on a host (the harness's `detect`), and if not, why. */
export interface SandboxStatus {
  available: boolean
  /** `bwrap`, or `unshare` (namespaces without the hidden filesystem) where bubblewrap is missing. */
  tool: string | null
  version: string | null
  reason: string | null
  /** What to install (or do) to get one. */
  install: string | null
  /** How the process limit is held: `rlimit`, `cgroup`, or why it is not. */
  processLimit: string | null
}

/**
 * How candidates are contained. Limits apply to each sandboxed process; absent means the harness
 * default, 0 means unlimited.
 */
export const sandboxSettingsSchema = z
  .object({
    /** Run model-written candidates where no sandbox can be set up; every verdict then says `unsandboxed`. */
    allowUnsandboxed: z.boolean().default(false),
    memoryMb: z.number().int().min(0).optional(),
    processes: z.number().int().min(0).optional(),
    fileSizeMb: z.number().int().min(0).optional(),
    cpuSeconds: z.number().int().min(0).optional(),
  })
  .strict()

export type SandboxSettings = z.output<typeof sandboxSettingsSchema>

/** What toolchain.detect reports for one Python environment and the executables on PATH. */
export interface ToolchainReport {
  /** The harness's sandbox on this host; null when the harness could not run. */
  sandbox?: SandboxStatus | null
  detectedAt: string
  python: ToolStatus
  packages: ToolStatus[]
  executables: ToolStatus[]
  /** Devices this environment's torch sees; empty on a CPU-only machine. */
  devices?: DeviceInfo[]
  durationMs: number
}

/** A Python environment found on a host, with where it came from. */
export interface PythonEnvironment {
  python: string
  source: 'project venv' | 'active venv' | 'venv' | 'conda' | 'PATH' | 'added' | 'remote'
  prefix: string | null
  selected: boolean
}

/** The environments of one host and the one its harness workers use. */
export interface EnvironmentList {
  host: string
  environments: PythonEnvironment[]
  selected: string
}

/** What creating the project environment would install, and why that torch build. */
export interface VenvPlan {
  venv: string
  /** The interpreter the venv is made from; null when no Python 3.10+ with venv was found. */
  base: string | null
  /** nvidia-smi's driver version; null without an NVIDIA driver. */
  driver: string | null
  torch: string
  /** cpu, cu126, cu128, cu130 */
  tag: string
  index: string
  reason: string
  packages: string[]
  /** Whether the project environment already exists with torch. */
  ready: boolean
}

/** Payload of venv-progress: one line of the project environment's creation. */
export interface VenvProgress {
  stage: 'venv' | 'torch' | 'packages' | 'done' | 'error'
  line: string
  elapsedMs: number
  /** The stage's place among the three (venv, torch, packages), for a progress bar. */
  step: number
  steps: number
}

export const toolchainRoutes = {
  'toolchain.detect': route<ToolchainReport>()(
    z
      .object({
        /** A Python interpreter to inspect instead of the configured one. */
        python: z.string().min(1).optional(),
        /** Re-run detection instead of returning the cached report. */
        refresh: z.boolean().optional(),
      })
      .strict(),
  ),
  'toolchain.list': route<EnvironmentList>()(z.object({ /** `local` or an SSH host's name. */ host: z.string().min(1).optional() }).strict()),
  /** Choose the environment whose Python runs the harness on a host; the choice persists. */
  'toolchain.select': route<EnvironmentList>()(z.object({ python: z.string().min(1), host: z.string().min(1).optional() }).strict()),
  'toolchain.sandbox': route<SandboxSettings>()(z.object({}).strict()),
  /** Changes how candidates are contained; this machine's workers restart with the new settings. */
  'toolchain.setSandbox': route<SandboxSettings>()(sandboxSettingsSchema),
  /** Add an interpreter by path (a venv or conda env outside the usual folders). */
  'toolchain.add': route<EnvironmentList>()(z.object({ python: z.string().min(1) }).strict()),
  /** What toolchain.createVenv would install on this machine (torch build from nvidia-smi's driver). */
  'toolchain.venvPlan': route<VenvPlan>()(z.object({}).strict()),
  /**
   * Creates the project's own environment (.venv) with the planned torch build, never touching
   * another interpreter, then selects it; progress comes as venv-progress events.
   */
  'toolchain.createVenv': route<EnvironmentList>()(z.object({}).strict()),
}
