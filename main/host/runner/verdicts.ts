import { z } from 'zod'
import { evaluateRequestSchema, HARNESS_SCHEMA_VERSION, verdictSchema, type EvaluateRequestArgs } from '../../../agents/contract/harness-boundary.ts'
import { AppError } from '../../../agents/contract/result.ts'
import type { Verdict, VerdictStatus } from '../../../agents/ports/index.ts'

/** The result schema version this host reads (agents/contract/harness-boundary.ts). */
export const VERDICT_SCHEMA_VERSION = HARNESS_SCHEMA_VERSION

/**
 * A verdict the runner writes itself when the harness could not: the worker hung past the outer
 * deadline or died under the candidate. The candidate is to blame in both cases, so the run goes on.
 */
export function runnerVerdict(status: Extract<VerdictStatus, 'timeout' | 'runtime_error'>, message: string, stage: string): Verdict {
  return {
    schema_version: VERDICT_SCHEMA_VERSION,
    status,
    correct: false,
    checks: [],
    error: { stage, message },
    correctness: null,
    timing: null,
    flags: [{ name: status === 'timeout' ? 'runner_timeout' : 'worker_crash', detail: message }],
  }
}

/** Messages after which a device context cannot be trusted and the worker must be replaced. */
const DEVICE_FAULT = /illegal memory access|device-side assert|unspecified launch failure|CUDA error|cudaError|misaligned address|ACL error|NPU error|EZ\d{4}/i

export function isDeviceFault(verdict: Verdict): boolean {
  if (verdict.status !== 'runtime_error' && verdict.status !== 'timeout') return false
  const text = `${verdict.error?.message ?? ''}\n${verdict.error?.traceback ?? ''}`
  return DEVICE_FAULT.test(text) || verdict.flags.some((flag) => flag.name === 'device_fault' || flag.name === 'worker_restart')
}

/** The evaluate request as the boundary schema allows it; a mismatch is the studio's bug, said plainly. */
export function checkRequest(args: Record<string, unknown>): EvaluateRequestArgs {
  const defined = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined))
  const parsed = evaluateRequestSchema.safeParse(defined)
  if (!parsed.success)
    throw new AppError('HARNESS_BAD_REQUEST', `The evaluation request does not match the harness schema: ${z.prettifyError(parsed.error)}`, defined)
  return parsed.data
}

/** The harness's answer as a verdict of the schema version this studio reads, or an error that says which part is wrong. */
export function parseVerdict(value: unknown, worker: string): Verdict {
  const version = typeof value === 'object' && value !== null ? (value as { schema_version?: unknown }).schema_version : undefined
  if (version !== undefined && version !== HARNESS_SCHEMA_VERSION) {
    throw new AppError(
      'HARNESS_SCHEMA_VERSION',
      `The harness on ${worker} answered with schema version ${String(version)}; this studio reads version ${HARNESS_SCHEMA_VERSION}. The harness and the studio come from different releases: update the one that is older.`,
      value,
    )
  }
  const parsed = verdictSchema.safeParse(value)
  if (!parsed.success)
    throw new AppError(
      'HARNESS_BAD_RESPONSE',
      `The harness on ${worker} answered a verdict outside schema version ${HARNESS_SCHEMA_VERSION}: ${z.prettifyError(parsed.error)}`,
      value,
    )
  return value as Verdict
}
