import type { Verdict, VerdictStatus } from '../../../agents/ports/index.ts'

/** The result schema version this host reads (resources/harness/README.md). */
export const VERDICT_SCHEMA_VERSION = 1

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

export function isVerdict(value: unknown): value is Verdict {
  return typeof value === 'object' && value !== null && typeof (value as Verdict).status === 'string' && Array.isArray((value as Verdict).checks ?? [])
}
