import { z } from 'zod'
import type { CandidateRecord, ConductorAction } from '../contract/runs.ts'
import type { ChatMessage } from '../ports/index.ts'
import type { RunContext } from '../run/context.ts'
import { elapsedMs, fixDepth, type Decision } from './conductor.ts'

/** A model's choice is accepted only in this shape; anything else falls back to the rules. */
export const conductorAnswerSchema = z
  .object({
    action: z.enum(['fix', 'regenerate', 'optimize', 'tune', 'stop']),
    reason: z.string().trim().min(8, 'give a reason of a sentence').max(600),
  })
  .strict()

/** Candidates listed in the prompt, newest first: enough history to see a trend, small enough to stay cheap. */
const listedCandidates = 12

/**
 * The actions that make sense for this candidate now; the model may choose among them only.
 * Budget and stop rules are checked by the loop before every new candidate, whatever is chosen.
 */
export function allowedActions(context: RunContext, candidate: CandidateRecord, options: { keepOptimizing: boolean }): ConductorAction[] {
  const correct = candidate.verdict?.correct === true
  const anyCorrect = [...context.state.candidates.values()].some((other) => other.verdict?.correct)
  const actions: ConductorAction[] = ['regenerate', 'stop']
  if (!correct && candidate.codePath !== null && candidate.status !== 'error') actions.unshift('fix')
  if (options.keepOptimizing && anyCorrect) actions.unshift('optimize')
  if (correct && options.keepOptimizing && context.deps.tune && candidate.origin !== 'tune' && !context.state.tuned.has(candidate.id)) actions.unshift('tune')
  return actions
}

const describeCandidate = (context: RunContext, candidate: CandidateRecord): string => {
  const verdict = candidate.verdict
  const speed = verdict?.correct
    ? ` ${verdict.medianMs?.toFixed(4) ?? '?'} ms (${candidate.speedups?.eager?.toFixed(2) ?? '?'}x eager, ${candidate.speedups?.compile?.toFixed(2) ?? '?'}x torch.compile)`
    : ''
  const error =
    verdict && !verdict.correct
      ? ` ${verdict.errorStage ?? ''} ${verdict.errorMessage?.split('\n')[0]?.slice(0, 160) ?? verdict.failedChecks.join(', ')}`.trimEnd()
      : ''
  return `- ${candidate.id} ${candidate.origin}${candidate.parentId ? ` of ${candidate.parentId}` : ''}: ${candidate.status}${speed}${error}${fixDepth(context, candidate) > 0 ? ` (fix ${fixDepth(context, candidate)} in a row)` : ''}`
}

/** What the Conductor model reads: the run's state, budget, the last verdict and profile, and the rules' own suggestion. */
export function conductorMessages(
  context: RunContext,
  candidate: CandidateRecord,
  rules: Decision,
  allowed: ConductorAction[],
  diagnosis: string[],
): ChatMessage[] {
  const { budget } = context.spec
  const candidates = [...context.state.candidates.values()].filter((other) => other.origin !== 'migrate-source')
  const tokens = context.state.usage.inputTokens + context.state.usage.outputTokens
  const state = [
    `Workflow ${context.spec.workflow}, DSL ${context.spec.dsl}, device ${context.spec.device}.`,
    `Budget used: ${candidates.length} of ${budget.candidates} candidates, ${Math.max(context.state.steps, context.stepsAllocated())} of ${budget.steps} steps, ${tokens} of ${budget.tokens} tokens, ${(elapsedMs(context) / 60_000).toFixed(1)} of ${budget.minutes} minutes.`,
  ]
  return [
    {
      role: 'system',
      content:
        'You are the Conductor of a kernel-generation team. After each candidate you choose the next action: fix (a small edit to this candidate), ' +
        'optimize (rewrite the best correct candidate guided by its profile), tune (search the declared parameters of this correct candidate), ' +
        'regenerate (a new design from scratch) or stop. Spend the remaining budget where it most likely buys a faster correct kernel. ' +
        'Answer with one JSON object and nothing else: {"action": "...", "reason": "one or two sentences citing the evidence"}.',
    },
    {
      role: 'user',
      content:
        `## Run\n${state.join('\n')}\n\n## Candidates (newest first)\n${candidates
          .slice(-listedCandidates)
          .reverse()
          .map((other) => describeCandidate(context, other))
          .join('\n')}\n\n` +
        `## The candidate just finished: ${candidate.id}\n${describeCandidate(context, candidate).slice(2)}` +
        (diagnosis.length > 0 ? `\nProfile of the best correct candidate:\n${diagnosis.map((fact) => `- ${fact}`).join('\n')}` : '') +
        `\n\n## The rule-based Conductor would choose\n${rules.action}: ${rules.reason}\n\nAllowed actions now: ${allowed.join(', ')}.`,
    },
  ]
}

/** The JSON object in a model's answer (bare, or in a fenced block), validated; null with the reason when it is not usable. */
export function parseConductorAnswer(answer: string, allowed: ConductorAction[]): { decision: Decision } | { problem: string } {
  const match = /\{[\s\S]*\}/.exec(answer)
  if (!match) return { problem: 'the answer held no JSON object' }
  let value: unknown
  try {
    value = JSON.parse(match[0])
  } catch {
    return { problem: "the answer's JSON did not parse" }
  }
  const parsed = conductorAnswerSchema.safeParse(value)
  if (!parsed.success)
    return {
      problem:
        `the answer did not match {action, reason}: ${parsed.error.issues[0]?.path.join('.') || 'object'} ${parsed.error.issues[0]?.message ?? ''}`.trim(),
    }
  if (!allowed.includes(parsed.data.action)) return { problem: `${parsed.data.action} is not allowed now (allowed: ${allowed.join(', ')})` }
  return { decision: { action: parsed.data.action, reason: parsed.data.reason } }
}
