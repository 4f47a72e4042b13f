import { runFolder } from '../contract/registry.ts'
import { checkCandidate, extractCode, extractPlan } from '../checker/index.ts'
import type { CandidateOrigin, CandidateRecord, CheckFinding, RunEventDraft } from '../contract/runs.ts'
import type { ChatMessage, Verdict } from '../ports/index.ts'
import { ModelError, timingConfirmed } from '../ports/index.ts'
import { callModel } from '../roles/model-call.ts'
import { analyzeProfile } from '../roles/profile.ts'
import { coderMessages, describeFailure, designerMessages, fixerMessages, optimizeFacts, optimizeMessages, type PromptTask } from '../roles/prompts.ts'
import { summarizeVerdict, verify } from '../roles/verifier.ts'
import type { RunContext } from '../run/context.ts'
import { interruptionCode } from '../run/interruption.ts'
import { isDiskError } from '../run/disk-errors.ts'

/** How a candidate's code comes to be. */
export type CandidateMode =
  | { kind: 'generate' }
  | { kind: 'migrate'; sourceCode: string }
  | { kind: 'fix'; parentCode: string; failure: string }
  | { kind: 'optimize'; parentCode: string; inspirationCodes: string[] }
  | { kind: 'given'; code: string; params?: Record<string, number | string | boolean> }

export interface CandidatePlan {
  origin: CandidateOrigin
  parent: CandidateRecord | null
  inspirations?: CandidateRecord[]
  island?: number | null
  mode: CandidateMode
}

export const candidateFolder = runFolder.candidate

async function promptTask(context: RunContext, stage: 'initial' | 'debug' | 'optimize'): Promise<PromptTask> {
  const knowledge = context.deps.knowledge
    ? await context.deps.knowledge({ dsl: context.spec.dsl, device: context.spec.device, stage, taskSource: context.taskSource })
    : []
  const hardware = context.deps.hardware ? await context.deps.hardware(context.spec.device).catch(() => null) : null
  // The GPU facts carry the versions; without them (a CPU run) the versions come with the CPU's facts.
  const host = !hardware && context.deps.host ? await context.deps.host(context.spec.device).catch(() => null) : null
  return { dsl: context.spec.dsl, device: context.spec.device, taskSource: context.taskSource, knowledge, hardware, host }
}

async function writeMessages(context: RunContext, path: string, messages: ChatMessage[]): Promise<string> {
  await context.deps.store.writeArtifact(path, messages.map((message) => `<!-- ${message.role} -->\n${message.content}`).join('\n\n'))
  return path
}

/** Produces one candidate end to end: design, code, check, verify, profile. Never throws for a candidate's own failure. */
export async function runCandidate(context: RunContext, plan: CandidatePlan): Promise<CandidateRecord> {
  const id = context.nextCandidateId()
  const step = context.nextStep()
  const clock = context.deps.clock
  const startedAt = clock.now()
  let record: CandidateRecord = {
    id,
    runId: context.runId,
    parentId: plan.parent?.id ?? null,
    inspirationIds: (plan.inspirations ?? []).map((candidate) => candidate.id),
    island: plan.island ?? null,
    step,
    dsl: context.spec.dsl,
    origin: plan.origin,
    codePath: null,
    status: 'generating',
    findings: [],
    verdict: null,
    params: plan.mode.kind === 'given' ? (plan.mode.params ?? null) : null,
    timing: { startedAt: new Date(startedAt).toISOString(), endedAt: null, generateMs: null, verifyMs: null },
    speedups: null,
  }
  const emit = (draft: RunEventDraft) => context.recorder.emit(draft)
  const update = (patch: Partial<CandidateRecord>) => {
    record = { ...record, ...patch }
  }
  await emit({ type: 'candidate-start', candidate: record })
  try {
    const code = await produceCode(context, plan, id)
    update({ timing: { ...record.timing, generateMs: clock.now() - startedAt } })
    if (code === null) {
      update({
        status: 'rejected',
        findings: [
          {
            rule: 'extract',
            severity: 'error',
            line: null,
            message: 'The answer held no ```python block defining class ModelNew; answer with the complete module in one block.',
          },
        ],
      })
      await emit({ type: 'check-end', candidateId: id, passed: false, findings: record.findings })
      return await finish(context, record)
    }
    const codePath = runFolder.candidateCode(id)
    await context.deps.store.writeArtifact(codePath, code)
    update({ codePath, status: 'checking' })
    const check = checkCandidate({ code, dsl: context.spec.dsl, taskSource: context.taskSource })
    update({ findings: check.findings })
    await emit({ type: 'check-end', candidateId: id, passed: check.passed, findings: check.findings })
    if (!check.passed) {
      update({ status: 'rejected' })
      return await finish(context, record)
    }
    update({ status: 'verifying' })
    const verifyStarted = clock.now()
    const verdict = await verify(context, id, {
      candidatePath: context.deps.store.absolutePath(codePath),
      dsl: context.spec.dsl,
      ...(record.params ? { params: record.params } : {}),
    })
    update({
      status: verdict.status,
      verdict: summarizeVerdict(verdict),
      speedups: speedups(verdict),
      timing: { ...record.timing, verifyMs: clock.now() - verifyStarted },
    })
    if (verdict.correct) await emit({ type: 'profile-end', candidateId: id, analysis: analyzeProfile(verdict) })
    return await finish(context, record)
  } catch (error) {
    if (interruptionCode(error)) throw error
    // A full or read-only disk stops the whole run (engine.ts): no other candidate could be stored either.
    if (isDiskError(error)) throw error
    const cancelled = context.signal.aborted || (error instanceof ModelError && error.code === 'PROVIDER_CANCELLED')
    if (!cancelled) {
      await emit({
        type: 'run-error',
        candidateId: id,
        fatal: error instanceof ModelError && fatalModelCodes.has(error.code),
        code: error instanceof ModelError ? error.code : 'CANDIDATE_FAILED',
        message: error instanceof Error ? error.message : String(error),
      })
    }
    update({ status: cancelled ? 'cancelled' : 'error' })
    return await finish(context, record)
  }
}

/** Provider failures no new candidate can get past: the run stops with the provider's own advice. */
const fatalModelCodes = new Set<string>(['PROVIDER_UNREACHABLE', 'PROVIDER_AUTH', 'PROVIDER_NOT_FOUND', 'PROVIDER_CONFIG'])

const speedups = (verdict: Verdict): CandidateRecord['speedups'] =>
  timingConfirmed(verdict) && verdict.timing ? { eager: verdict.timing.speedup_vs_eager, compile: verdict.timing.speedup_vs_compile } : null

async function finish(context: RunContext, record: CandidateRecord): Promise<CandidateRecord> {
  const done = { ...record, timing: { ...record.timing, endedAt: new Date(context.deps.clock.now()).toISOString() } }
  await context.recorder.emit({ type: 'candidate-end', candidate: done })
  await context.recorder.emit({ type: 'step-end', step: done.step })
  await context.recorder.flush()
  return done
}

async function produceCode(context: RunContext, plan: CandidatePlan, id: string): Promise<string | null> {
  const mode = plan.mode
  if (mode.kind === 'given') return mode.code
  if (mode.kind === 'fix') {
    const messages = fixerMessages(await promptTask(context, 'debug'), mode.parentCode, mode.failure)
    return code(context, id, 'fixer', messages)
  }
  if (mode.kind === 'optimize') {
    const parentVerdict = plan.parent?.verdict
    const parentFull = plan.parent ? context.state.verdicts.get(plan.parent.id) : undefined
    const analysis = parentFull ? analyzeProfile(parentFull) : { bound: 'unknown' as const, summary: 'no profile recorded.', metrics: {} }
    const timing = `median ${parentVerdict?.medianMs ?? '?'} ms; PyTorch eager ${parentVerdict?.eagerMs ?? '?'} ms; torch.compile ${parentVerdict?.compileMs ?? '?'} ms.`
    const messages = optimizeMessages(await promptTask(context, 'optimize'), mode.parentCode, analysis, timing, mode.inspirationCodes)
    if (plan.parent) {
      // What the model was told about the parent's profile, so a reader can tie the rewrite to the facts.
      await context.recorder.emit({ type: 'diagnosis-sent', candidateId: id, parentId: plan.parent.id, bound: analysis.bound, facts: optimizeFacts(analysis) })
    }
    return code(context, id, 'coder', messages)
  }
  const task = await promptTask(context, 'initial')
  let planText: string | null = null
  if (mode.kind === 'generate') {
    const promptPath = await writeMessages(context, runFolder.designPrompt(id), designerMessages(task))
    await context.recorder.emit({ type: 'design-start', candidateId: id, promptPath })
    const answer = await callModel(context, { role: 'designer', messages: designerMessages(task), delta: { type: 'design-delta', candidateId: id } })
    planText = extractPlan(answer)
    const answerPath = runFolder.plan(id)
    await context.deps.store.writeArtifact(answerPath, planText)
    await context.recorder.emit({ type: 'design-end', candidateId: id, answerPath, chars: planText.length })
  }
  const source = mode.kind === 'migrate' && context.spec.migrate ? { dsl: context.spec.migrate.sourceDsl, code: mode.sourceCode } : null
  const feedback = plan.parent && plan.origin === 'regenerate' ? await regenerateFeedback(context, plan.parent) : null
  return code(context, id, 'coder', coderMessages(task, { plan: planText, source, feedback }))
}

async function regenerateFeedback(context: RunContext, parent: CandidateRecord): Promise<string> {
  const failure = describeFailure(parent.findings, context.state.verdicts.get(parent.id) ?? null)
  return `A previous attempt (${parent.id}) failed; take a different approach.\n${failure}`
}

async function code(context: RunContext, id: string, role: 'coder' | 'fixer', messages: ChatMessage[]): Promise<string | null> {
  const promptPath = await writeMessages(context, runFolder.prompt(id), messages)
  await context.recorder.emit({ type: 'code-start', candidateId: id, role, promptPath })
  const answer = await callModel(context, { role, messages, delta: { type: 'code-delta', candidateId: id } })
  const answerPath = runFolder.answer(id)
  await context.deps.store.writeArtifact(answerPath, answer)
  const extracted = extractCode(answer)
  await context.recorder.emit({ type: 'code-end', candidateId: id, answerPath, codePath: extracted === null ? null : runFolder.candidateCode(id) })
  return extracted
}

/** The failure text a fix prompt carries for a finished candidate. */
export async function failureOf(context: RunContext, candidate: CandidateRecord): Promise<string> {
  return describeFailure(candidate.findings as CheckFinding[], context.state.verdicts.get(candidate.id) ?? null)
}
