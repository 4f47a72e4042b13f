import { runFolder } from '../contract/registry.ts'
import type { BaselineOrigin, VerdictSummary } from '../contract/runs.ts'
import { timingConfirmed, type EvaluateRequest, type Verdict } from '../ports/index.ts'
import type { RunContext } from '../run/context.ts'

/** Verdict fields a list shows; the full document stays in the candidate's result.json. */
export function summarizeVerdict(verdict: Verdict): VerdictSummary {
  return {
    status: verdict.status,
    correct: verdict.correct,
    interpreted: verdict.interpreted ?? false,
    errorStage: verdict.error?.stage ?? null,
    errorMessage: verdict.error ? verdict.error.message.slice(0, 500) : null,
    failedChecks: verdict.checks.filter((check) => !check.passed).map((check) => check.name),
    // An unconfirmed median is the candidate's own claim: it ranks nothing.
    medianMs: timingConfirmed(verdict) ? (verdict.timing?.candidate.median_ms ?? null) : null,
    eagerMs: verdict.timing?.eager?.median_ms ?? null,
    compileMs: verdict.timing?.compile?.median_ms ?? null,
    maxAbsError: verdict.correctness?.max_abs_error ?? null,
    flags: verdict.flags.map((flag) => flag.name),
    noisy: verdict.flags.some((flag) => flag.name === 'noisy_timing'),
    baseline: baselineOrigin(verdict),
    deviceName: typeof verdict.environment?.device_name === 'string' ? verdict.environment.device_name : null,
  }
}

/**
 * Whether a run's candidates get Nsight Compute: only where there is an optimize step to read it
 * (optimize and the search workflows) and a CUDA device to run it; the harness profiles only a
 * candidate that passed, and caches by candidate, so a failed or repeated one costs nothing.
 */
export function wantsNcu(context: RunContext): boolean {
  const optimizing = ['optimize', 'evolve', 'adaptive'].includes(context.spec.workflow)
  return optimizing && /(^|:)cuda(:\d+)?$/.test(context.spec.device)
}

/** The eager baseline's provenance from the verdict's timing section (null without timing). */
export function baselineOrigin(verdict: Verdict): BaselineOrigin | null {
  const record = verdict.timing?.baseline_provenance?.eager
  if (!record) return null
  return { source: record.source === 'cache' ? 'cache' : 'measured', ageS: record.age_s ?? null, remeasured: Boolean(record.replaced) }
}

/** "eager measured now", "eager cached 2.0 h, re-timed": what a speedup rests on, in a few words. */
export function baselineText(origin: BaselineOrigin | null | undefined): string {
  if (!origin) return ''
  if (origin.source === 'measured') return origin.remeasured ? 'baseline re-measured (stale cache dropped)' : 'baseline measured now'
  return `baseline cached ${ageWords(origin.ageS)} ago, re-timed`
}

function ageWords(seconds: number | null): string {
  if (seconds === null) return '?'
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
  ] as const) {
    if (seconds >= size) return `${(seconds / size).toFixed(1)} ${unit}`
  }
  return `${Math.round(seconds)} s`
}

/** The Verifier: one evaluation through the Runner port, recorded as verify-start/verify-end. */
export async function verify(
  context: RunContext,
  candidateId: string,
  request: Omit<EvaluateRequest, 'taskPath' | 'device'> & { taskPath?: string },
  purpose: 'candidate' | 'source' | 'tune' = 'candidate',
): Promise<Verdict> {
  const started = context.deps.clock.now()
  await context.recorder.emit({ type: 'verify-start', candidateId, device: context.spec.device, purpose })
  const verdict = await context.deps.runner.evaluate(
    {
      baselines: ['eager', 'compile'],
      profile: true,
      ...(purpose === 'candidate' && wantsNcu(context) ? { ncu: true } : {}),
      ...request,
      taskPath: request.taskPath ?? context.spec.taskPath,
      device: context.spec.device,
    },
    context.signal,
  )
  const resultPath = runFolder.result(candidateId, purpose)
  await context.deps.store.writeArtifact(resultPath, JSON.stringify(verdict, null, 2))
  await context.recorder.emit({ type: 'verify-end', candidateId, verdict, resultPath, durationMs: context.deps.clock.now() - started })
  return verdict
}
