import type { CandidateRecord } from '../contract/runs.ts'
import type { RunContext } from '../run/context.ts'
import { isDiskError } from '../run/disk-errors.ts'
import { runCandidate } from './candidate.ts'

/**
 * Hands a correct candidate to the tuner (agents/tuner through the optional tune hook). The tuned
 * code becomes a new candidate that is verified like any other, so its speed is measured, not claimed.
 */
export async function tuneCandidate(context: RunContext, candidate: CandidateRecord): Promise<CandidateRecord | null> {
  await context.recorder.emit({ type: 'tune-start', candidateId: candidate.id })
  const code = candidate.codePath ? await context.deps.store.readArtifact(candidate.codePath) : null
  if (!context.deps.tune || code === null || !candidate.codePath) {
    await context.recorder.emit({ type: 'tune-end', candidateId: candidate.id, resultCandidateId: null, detail: 'no tuner is configured' })
    return null
  }
  try {
    const outcome = await context.deps.tune({
      candidate,
      code,
      codePath: context.deps.store.absolutePath(candidate.codePath),
      taskPath: context.spec.taskPath,
      dsl: context.spec.dsl,
      device: context.spec.device,
      signal: context.signal,
    })
    if (!outcome) {
      await context.recorder.emit({
        type: 'tune-end',
        candidateId: candidate.id,
        resultCandidateId: null,
        detail: 'the candidate declares no tunable parameters',
      })
      return null
    }
    const tuned = await runCandidate(context, { origin: 'tune', parent: candidate, mode: { kind: 'given', code: outcome.code, params: outcome.params } })
    await context.recorder.emit({ type: 'tune-end', candidateId: candidate.id, resultCandidateId: tuned.id, detail: outcome.detail })
    return tuned
  } catch (error) {
    if (isDiskError(error)) throw error
    const message = error instanceof Error ? error.message : String(error)
    await context.recorder.emit({ type: 'run-error', candidateId: candidate.id, fatal: false, code: 'TUNE_FAILED', message })
    await context.recorder.emit({ type: 'tune-end', candidateId: candidate.id, resultCandidateId: null, detail: `tuning failed: ${message}` })
    return null
  }
}
