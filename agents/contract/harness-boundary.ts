import { z } from 'zod'
import { dslNames } from './registry.ts'

/**
 * The boundary between the studio and the Python harness, declared once: the evaluate request,
 * the verdict, and which environment variables cross into harness processes. The harness reads
 * the JSON Schema emitted from this file (resources/harness/akg_harness/schema/boundary.json,
 * written by `node_modules/.bin/tsx scripts/harness-schema.ts`; a unit test fails when it is stale).
 */

/** Bumped when a field of the request or the verdict changes meaning or disappears. */
export const HARNESS_SCHEMA_VERSION = 2

const dsl = z.enum(dslNames)
const count = z.number().int().min(1)

/** The `evaluate` command's arguments (serve's `args`): the CLI options in snake_case. */
export const evaluateRequestSchema = z
  .object({
    task: z.string().min(1),
    candidate: z.string().min(1),
    dsl,
    device: z
      .string()
      .regex(/^(cpu|cuda(:\d+)?|npu(:\d+)?)$/)
      .optional(),
    out: z.string().nullable().optional(),
    correctness_trials: count.nullable().optional(),
    timing_trials: count.nullable().optional(),
    warmup: z.number().int().min(0).nullable().optional(),
    tolerance: z.enum(['strict', 'default', 'loose', 'kernelbench']).nullable().optional(),
    atol: z.number().min(0).nullable().optional(),
    rtol: z.number().min(0).nullable().optional(),
    timeout: z.number().positive().nullable().optional(),
    build_timeout: z.number().positive().nullable().optional(),
    protocol: z.enum(['full', 'search']).nullable().optional(),
    baselines: z
      .union([z.array(z.enum(['eager', 'compile'])), z.string()])
      .nullable()
      .optional(),
    profile: z.boolean().nullable().optional(),
    ncu: z.boolean().nullable().optional(),
    seed: z.number().int().nullable().optional(),
    build_dir: z.string().nullable().optional(),
    params: z
      .record(z.string(), z.union([z.number(), z.string(), z.boolean()]))
      .nullable()
      .optional(),
    threads: count.nullable().optional(),
    timing: z.boolean().nullable().optional(),
    confirm_ncu: z.boolean().nullable().optional(),
  })
  .strict()

export type EvaluateRequestArgs = z.infer<typeof evaluateRequestSchema>

const timingStats = z.looseObject({
  median_ms: z.number(),
  mean_ms: z.number(),
  min_ms: z.number(),
  max_ms: z.number(),
  trials: z.number().int(),
})

/**
 * The verdict (result document) as far as the studio relies on it. Sections the studio only
 * displays (profile, ncu, roofline, build, environment) stay open so the harness can add to them.
 */
export const verdictSchema = z.looseObject({
  schema_version: z.literal(HARNESS_SCHEMA_VERSION),
  status: z.enum(['passed', 'incorrect', 'compile_error', 'runtime_error', 'timeout', 'rejected']),
  correct: z.boolean(),
  interpreted: z.boolean().optional(),
  checks: z.array(z.looseObject({ name: z.string(), passed: z.boolean(), detail: z.string().nullable().optional() })),
  error: z.looseObject({ stage: z.string(), message: z.string(), traceback: z.string().nullable().optional() }).nullable(),
  correctness: z.looseObject({ trials: z.number().int() }).nullable().optional(),
  timing: z
    .looseObject({
      candidate: timingStats,
      eager: timingStats.nullable().optional(),
      compile: timingStats.nullable().optional(),
      speedup_vs_eager: z.number().nullable().optional(),
      speedup_vs_compile: z.number().nullable().optional(),
    })
    .nullable(),
  /** Suspicious findings that did not reject, and `unsandboxed` when no sandbox was set up. */
  flags: z.array(z.looseObject({ name: z.string(), detail: z.string().nullable().optional() })),
})

/** Which environment variables a process may inherit: exact names and name prefixes. */
export interface EnvironmentRules {
  names: string[]
  prefixes: string[]
}

/**
 * What a process that imports a candidate may see: toolchains, locale, threads and devices.
 * Never keys, tokens or the studio's own variables; a name that looks like a credential is
 * dropped even when a prefix matches (both sides apply the same pattern).
 */
export const EXECUTOR_ENVIRONMENT: EnvironmentRules = {
  names: [
    'PATH',
    'LANG',
    'LANGUAGE',
    'TZ',
    'TERM',
    'USER',
    'LOGNAME',
    'PYTHONPATH',
    'PYTHONUNBUFFERED',
    'PYTHONHASHSEED',
    'PYTHONDONTWRITEBYTECODE',
    'PYTHONNOUSERSITE',
    'LD_LIBRARY_PATH',
    'CC',
    'CXX',
    'CUDAHOSTCXX',
    'MAX_JOBS',
    'NVCC_APPEND_FLAGS',
    'NVCC_PREPEND_FLAGS',
    'NVIDIA_VISIBLE_DEVICES',
    'NVIDIA_DRIVER_CAPABILITIES',
    // Whether --ncu also collects per-line source counters (the harness's own knob, no secret).
    'AKG_NCU_SOURCE',
    // Whether the ncu section keeps ncu's own CSV output (the benchmark's fixtures; no secret).
    'AKG_NCU_RAW',
    // The build path's and the reference store's knobs (resources/harness/README.md).
    'AKG_PCH',
    'AKG_PCH_DIR',
    'AKG_LIGHT_CUDA_HEADER',
    'AKG_REFERENCE_CACHE_BYTES',
  ],
  prefixes: ['LC_', 'TRITON_', 'TORCH_', 'TORCHINDUCTOR_', 'CUDA_', 'OMP_', 'MKL_', 'KMP_', 'GOMP_', 'OPENBLAS_', 'ASCEND_'],
}

/**
 * What the trusted harness supervisor (`serve`, the CLI) may see: the executor's list plus the
 * harness's own settings (where the caches and the data folder are, so it can hide them).
 */
export const HARNESS_ENVIRONMENT: EnvironmentRules = {
  names: [
    ...EXECUTOR_ENVIRONMENT.names,
    'HOME',
    'TMPDIR',
    'AKG_CACHE_DIR',
    'AKG_STUDIO_HOME',
    'AKG_BWRAP',
    'AKG_ALLOW_UNSANDBOXED',
    'AKG_TUNE_PARAMS',
    'AKG_SPARE_EXECUTORS',
    // Whether the supervisor asks ncu to confirm a median the wall clock cannot (no secret).
    'AKG_NCU_CONFIRM',
  ],
  prefixes: [...EXECUTOR_ENVIRONMENT.prefixes, 'AKG_SANDBOX_'],
}

/** Names that are dropped whatever the lists say: anything that reads like a credential. */
export const CREDENTIAL_NAME = /KEY|TOKEN|SECRET|PASSW|CREDENTIAL|COOKIE|AUTH/i

/** Keeps the allowed entries of an environment (Node's side of the same rule the harness applies). */
export function filterEnvironment(environment: Record<string, string | undefined>, rules: EnvironmentRules): Record<string, string> {
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(environment)) {
    if (value === undefined || CREDENTIAL_NAME.test(name)) continue
    if (rules.names.includes(name) || rules.prefixes.some((prefix) => name.startsWith(prefix))) kept[name] = value
  }
  return kept
}

/** The document the harness reads (schema/boundary.json). */
export function harnessBoundaryDocument(): Record<string, unknown> {
  return {
    version: HARNESS_SCHEMA_VERSION,
    credential_pattern: CREDENTIAL_NAME.source,
    environment: { executor: EXECUTOR_ENVIRONMENT, harness: HARNESS_ENVIRONMENT },
    evaluate_request: z.toJSONSchema(evaluateRequestSchema, { io: 'input' }),
    verdict: z.toJSONSchema(verdictSchema),
  }
}
