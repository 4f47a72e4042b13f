import type { CandidateRecord, ConductorAction, StopReason } from '../contract/runs.ts'
import type { RunContext } from '../run/context.ts'
import { bestCandidate } from '../run/state.ts'

/** Consecutive failed candidates before a run gives up: past this the model is stuck, and more calls only spend budget. */
export const repeatedFailureLimit = 6
/** Fixes in a row on one lineage before starting over: a third patch on a broken design rarely lands. */
export const fixAttemptsPerLineage = 2

export interface Decision {
  action: ConductorAction
  reason: string
}

export interface StopDecision {
  reason: StopReason
  detail: string
}

const generated = (context: RunContext): CandidateRecord[] =>
  [...context.state.candidates.values()].filter((candidate) => candidate.origin !== 'migrate-source')

const finished = (candidate: CandidateRecord): boolean => !['generating', 'checking', 'verifying'].includes(candidate.status)

export const elapsedMs = (context: RunContext): number => context.priorElapsedMs + (context.deps.clock.now() - context.segmentStartedAt)

/** The stop rules, checked before each new candidate: budget first, then the step limit, then repeated failure. */
export function checkStopRules(context: RunContext): StopDecision | null {
  const { budget } = context.spec
  const candidates = generated(context)
  if (context.signal.aborted) return { reason: 'cancelled', detail: 'cancelled by the user' }
  if (context.state.fatalError) return { reason: 'error', detail: context.state.fatalError.message }
  if (candidates.length >= budget.candidates) return { reason: 'budget-candidates', detail: `${candidates.length} of ${budget.candidates} candidates used` }
  const tokens = context.state.usage.inputTokens + context.state.usage.outputTokens
  if (tokens >= budget.tokens) return { reason: 'budget-tokens', detail: `${tokens} of ${budget.tokens} tokens used` }
  const minutes = elapsedMs(context) / 60_000
  if (minutes >= budget.minutes) return { reason: 'budget-minutes', detail: `${minutes.toFixed(1)} of ${budget.minutes} minutes used` }
  const steps = Math.max(context.state.steps, context.stepsAllocated())
  if (steps >= budget.steps) return { reason: 'step-limit', detail: `${steps} of ${budget.steps} steps taken` }
  let streak = 0
  for (const candidate of candidates.filter(finished).reverse()) {
    if (candidate.verdict?.correct || candidate.status === 'cancelled') break
    streak += 1
  }
  if (streak >= repeatedFailureLimit) return { reason: 'failure-limit', detail: `${streak} candidates in a row failed` }
  return null
}

/** How many fixes in a row led to this candidate. */
export function fixDepth(context: RunContext, candidate: CandidateRecord): number {
  let depth = 0
  let current: CandidateRecord | undefined = candidate
  while (current && current.origin === 'fix') {
    depth += 1
    current = current.parentId ? context.state.candidates.get(current.parentId) : undefined
  }
  return depth
}

/**
 * The Conductor's routing for a finished candidate. Deterministic rules over the verdict and
 * the lineage, so every decision has a reason a person can check against the log.
 */
export function routeCandidate(context: RunContext, candidate: CandidateRecord, options: { keepOptimizing: boolean }): Decision {
  const status = candidate.status
  if (status === 'cancelled') return { action: 'stop', reason: 'the run was cancelled' }
  if (context.state.fatalError) return { action: 'stop', reason: context.state.fatalError.message }
  if (candidate.verdict?.correct) {
    if (!options.keepOptimizing) return { action: 'stop', reason: `${candidate.id} is correct` }
    const isBest = bestCandidate(context.state.candidates.values())?.id === candidate.id
    if (context.deps.tune && isBest && candidate.origin !== 'tune' && !context.state.tuned.has(candidate.id)) {
      return { action: 'tune', reason: `${candidate.id} is the new best; search its declared parameters before rewriting it` }
    }
    return { action: 'optimize', reason: `${candidate.id} is correct at ${candidate.verdict.medianMs?.toFixed(4) ?? '?'} ms; rewrite it guided by its profile` }
  }
  if (status === 'error' || candidate.codePath === null) {
    return { action: 'regenerate', reason: candidate.codePath === null ? 'the answer held no usable code' : 'the step failed before a verdict' }
  }
  const depth = fixDepth(context, candidate)
  if (depth >= fixAttemptsPerLineage) {
    return { action: 'regenerate', reason: `${depth} fixes in a row did not land; start over from a new design` }
  }
  switch (status) {
    case 'rejected':
      return {
        action: 'fix',
        reason: `the checker found ${candidate.findings.filter((finding) => finding.severity === 'error').length} problem(s) a small edit can address`,
      }
    case 'compile_error':
    case 'runtime_error':
      return { action: 'fix', reason: `${status.replace('_', ' ')} at stage ${candidate.verdict?.errorStage ?? '?'}: a local error` }
    case 'incorrect':
      return { action: 'fix', reason: incorrectReason(candidate) }
    case 'timeout':
      return { action: depth === 0 ? 'fix' : 'regenerate', reason: 'the candidate ran past its time limit (a hang or a pathological launch)' }
    default:
      return { action: 'regenerate', reason: `status ${status}` }
  }
}

/** What an incorrect verdict says is wrong, from the check that failed (the task's own shapes may have passed). */
export function incorrectReason(candidate: CandidateRecord): string {
  const failed = candidate.verdict?.failedChecks ?? []
  if (failed.includes('output_structure')) return "the outputs' number, shapes or dtypes differ from the reference's"
  if (failed.includes('output_matches_reference') || failed.length === 0)
    return `wrong outputs (max abs error ${candidate.verdict?.maxAbsError ?? '?'}): check indexing, masks and accumulation`
  if (failed.includes('correct_across_shapes')) return "right at the task's shapes, wrong at others: sizes hard-coded or not masked, strides assumed"
  if (failed.includes('output_depends_on_inputs')) return 'the output does not follow rescaled inputs: a constant or remembered result'
  return `failed ${failed.join(', ')}`
}
