import { runFolder } from '../contract/registry.ts'
import type { CandidateRecord } from '../contract/runs.ts'
import { checkStopRules, routeCandidate, type Decision, type StopDecision } from '../roles/conductor.ts'
import { allowedActions, conductorMessages, parseConductorAnswer } from '../roles/llm-conductor.ts'
import { callModel } from '../roles/model-call.ts'
import { analyzeProfile } from '../roles/profile.ts'
import { optimizeFacts } from '../roles/prompts.ts'
import type { Verdict } from '../ports/index.ts'
import type { RunContext } from '../run/context.ts'
import { bestCandidate } from '../run/state.ts'
import { candidateFolder, failureOf, runCandidate, type CandidateMode } from './candidate.ts'
import { tuneCandidate } from './tune.ts'

export interface ConductOptions {
  /** optimize: keep improving after the first correct candidate instead of stopping. */
  keepOptimizing: boolean
  /** How a fresh candidate is written: from a Designer plan, or (migrate) from the source kernel. */
  fresh: () => CandidateMode
  /** Called for each correct candidate before routing (migrate compares it with the source). */
  onCorrect?: (candidate: CandidateRecord) => Promise<void>
}

/** The candidate to route from. A candidate cut off by a crash is skipped, so a resumed run redoes the lost step. */
const lastFinished = (context: RunContext): CandidateRecord | null => {
  const all = [...context.state.candidates.values()].filter((candidate) => candidate.origin !== 'migrate-source' && candidate.status !== 'cancelled')
  return all.length === 0 ? null : all[all.length - 1]!
}

/** Records a decision once: a resumed run re-derives the same decision and must not log it twice. */
async function decide(context: RunContext, candidate: CandidateRecord, options: ConductOptions): Promise<Decision> {
  const recorded = context.state.decisions.get(candidate.id)
  if (recorded) return { action: recorded, reason: 'recorded before the run was resumed' }
  const rules = routeCandidate(context, candidate, { keepOptimizing: options.keepOptimizing })
  const decision = context.spec.models.conductor ? await askModel(context, candidate, rules, options) : { ...rules, by: 'rules' as const }
  await context.recorder.emit({ type: 'conductor-decision', candidateId: candidate.id, action: decision.action, reason: decision.reason, by: decision.by })
  return decision
}

/**
 * The optional model Conductor: it sees the run, the verdicts and the best candidate's profile,
 * and picks among the actions that make sense now. A hard stop (cancelled, a fatal error, the
 * first correct candidate of a single run) is never put to the model; an unusable answer or a
 * failed call falls back to the rules' decision, saying why.
 */
async function askModel(
  context: RunContext,
  candidate: CandidateRecord,
  rules: Decision,
  options: ConductOptions,
): Promise<Decision & { by: 'rules' | 'model' }> {
  const hardStop =
    rules.action === 'stop' && (context.signal.aborted || context.state.fatalError !== null || candidate.status === 'cancelled' || !options.keepOptimizing)
  if (hardStop) return { ...rules, by: 'rules' }
  const allowed = allowedActions(context, candidate, options)
  const best = bestCandidate(context.state.candidates.values())
  const resultText = best ? await context.deps.store.readArtifact(runFolder.result(best.id)) : null
  const diagnosis = resultText ? optimizeFacts(analyzeProfile(JSON.parse(resultText) as Verdict)) : []
  try {
    const answer = await callModel(context, {
      role: 'conductor',
      messages: conductorMessages(context, candidate, rules, allowed, diagnosis),
      delta: null,
      temperature: 0,
    })
    const parsed = parseConductorAnswer(answer, allowed)
    if ('decision' in parsed) return { ...parsed.decision, by: 'model' }
    return { ...rules, reason: `${rules.reason} (rules: the Conductor model's answer was not used, ${parsed.problem})`, by: 'rules' }
  } catch (error) {
    if (context.signal.aborted) return { action: 'stop', reason: 'the run was cancelled', by: 'rules' }
    return {
      ...rules,
      reason: `${rules.reason} (rules: the Conductor model failed, ${error instanceof Error ? error.message.slice(0, 200) : String(error)})`,
      by: 'rules',
    }
  }
}

/**
 * The Conductor's loop for single, optimize and migrate: one candidate at a time, each routed
 * from the last one's verdict (fix, regenerate, optimize, tune) until a stop rule or a stop decision.
 */
export async function conduct(context: RunContext, options: ConductOptions): Promise<StopDecision> {
  for (;;) {
    const last = lastFinished(context)
    if (last?.verdict?.correct && options.onCorrect) await options.onCorrect(last)
    const decision = last ? await decide(context, last, options) : null
    if (decision?.action === 'stop') {
      if (context.state.fatalError) return { reason: 'error', detail: context.state.fatalError.message }
      return { reason: context.signal.aborted ? 'cancelled' : 'correct', detail: decision.reason }
    }
    const stop = checkStopRules(context)
    if (stop) return stop
    if (!last || !decision) {
      await runCandidate(context, { origin: 'generate', parent: null, mode: options.fresh() })
      continue
    }
    const best = bestCandidate(context.state.candidates.values())
    switch (decision.action) {
      case 'fix': {
        const parentCode = last.codePath ? await context.deps.store.readArtifact(last.codePath) : null
        if (parentCode === null) {
          await runCandidate(context, { origin: 'regenerate', parent: last, mode: options.fresh() })
          break
        }
        await runCandidate(context, { origin: 'fix', parent: last, mode: { kind: 'fix', parentCode, failure: await failureOf(context, last) } })
        break
      }
      case 'regenerate':
        // Once something is correct, starting over means another rewrite of the best, not a new design.
        if (options.keepOptimizing && best) await optimizeFrom(context, best)
        else await runCandidate(context, { origin: 'regenerate', parent: last, mode: options.fresh() })
        break
      case 'tune':
        // A tune that found nothing to search leaves the same candidate last; move on to a rewrite.
        if (context.state.tuned.has(last.id)) await optimizeFrom(context, best ?? last)
        else await tuneCandidate(context, last)
        break
      case 'optimize':
        await optimizeFrom(context, best ?? last)
        break
    }
  }
}

/** One profile-guided rewrite of `parent`, with the next-best correct candidates as inspiration. */
export async function optimizeFrom(
  context: RunContext,
  parent: CandidateRecord,
  options: { inspirations?: CandidateRecord[]; island?: number | null; origin?: 'optimize' | 'evolve' } = {},
): Promise<CandidateRecord> {
  const parentCode = (parent.codePath ? await context.deps.store.readArtifact(parent.codePath) : null) ?? ''
  const inspirations = options.inspirations ?? []
  const inspirationCodes: string[] = []
  for (const other of inspirations) {
    const text = other.codePath ? await context.deps.store.readArtifact(other.codePath) : null
    if (text) inspirationCodes.push(text)
  }
  return runCandidate(context, {
    origin: options.origin ?? 'optimize',
    parent,
    inspirations,
    island: options.island ?? parent.island,
    mode: { kind: 'optimize', parentCode, inspirationCodes },
  })
}

export { candidateFolder }
