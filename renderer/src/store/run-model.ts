import {
  applyRunFacts,
  emptyRunFacts,
  type AgentRole,
  type CandidateRecord,
  type ConductorAction,
  type ProfileAnalysis,
  type RunEvent,
  type RunFacts,
  type Verdict,
} from '../../../agents/contract/index.ts'

/** One step of a candidate's cycle, drawn as a segment of its lane. */
export type SegmentKind = 'design' | 'code' | 'check' | 'verify' | 'profile' | 'tune'
/** How a step ended: running is open-ended, warn is a pass with flags or a source check skipped. */
export type SegmentOutcome = 'running' | 'ok' | 'fail' | 'warn'

export interface Segment {
  kind: SegmentKind
  /** Milliseconds since the epoch. */
  start: number
  end: number | null
  outcome: SegmentOutcome
  /** What the tooltip says: a status, an error stage, a finding. */
  label: string
}

export interface CandidateTrack {
  record: CandidateRecord
  segments: Segment[]
  /** The harness's full result document, from verify-end (the last one when re-verified). */
  verdict: Verdict | null
  analysis: ProfileAnalysis | null
  /** A migration's comparison with the source kernel's outputs (migrate workflow), when it ran. */
  sourceCheck?: { sourceCandidateId: string; status: 'passed' | 'failed' | 'skipped'; detail: string }
}

export interface Decision {
  seq: number
  time: number
  candidateId: string | null
  action: ConductorAction
  reason: string
}

/** One point of the speedup chart: a verified, correct candidate at its step (the candidate's), and the best so far. */
export interface SpeedupPoint {
  seq: number
  step: number
  time: number
  candidateId: string
  eager: number | null
  compile: number | null
  bestEager: number | null
  bestCompile: number | null
}

export interface RunNote {
  seq: number
  time: number
  tone: 'error' | 'info'
  text: string
}

/**
 * A run as the UI sees it, folded from its events; plain data only, so it lives in the store.
 * The run-level facts (spec, status, steps, usage...) are folded by agents/contract/run-facts.ts,
 * the same fold the engine and the run list use; the rest is what the Run view draws.
 */
export interface RunModel extends RunFacts {
  runId: string
  bestCandidateId: string | null
  /** Candidates in the order they started; lanes follow it. */
  candidateOrder: string[]
  candidates: Record<string, CandidateTrack>
  /** The streamed text of each role, the last TEXT_LIMIT characters of it. */
  text: Partial<Record<AgentRole, string>>
  /** Which candidate each role's text is about right now. */
  textCandidate: Partial<Record<AgentRole, string>>
  decisions: Decision[]
  speedups: SpeedupPoint[]
  notes: RunNote[]
  eventCount: number
}

/** Text kept per role; older text stays on disk in the run's artifacts, the view shows the tail. */
export const TEXT_LIMIT = 48_000
/** Decisions and notes kept in memory; a run of thousands of steps shows the latest ones. */
const LOG_LIMIT = 5_000

export function emptyRunModel(runId: string): RunModel {
  return {
    ...emptyRunFacts(),
    runId,
    bestCandidateId: null,
    candidateOrder: [],
    candidates: {},
    text: {},
    textCandidate: {},
    decisions: [],
    speedups: [],
    notes: [],
    eventCount: 0,
  }
}

/**
 * Applies a batch of events in one pass. The model is copied once per batch and each touched
 * candidate once per batch, so a frame's worth of events costs one store update, and untouched
 * candidates keep their identity (their lanes and panels do not re-render).
 */
export function applyRunEvents(previous: RunModel, events: readonly RunEvent[]): RunModel {
  const fresh = events.filter((event) => event.seq >= previous.nextSeq)
  if (fresh.length === 0) return previous
  // Maps are copied only when something in them changes, so a batch of text deltas leaves the
  // candidates map (and every view that selects it) untouched.
  const model: RunModel = { ...previous }
  let candidatesCopied = false
  const candidatesForWrite = () => {
    if (!candidatesCopied) model.candidates = { ...previous.candidates }
    candidatesCopied = true
    return model.candidates
  }
  const touched = new Set<string>()
  const pendingText: Partial<Record<AgentRole, string[]>> = {}
  let orderCopied = false
  let decisionsCopied = false
  let speedupsCopied = false
  let notesCopied = false

  const track = (id: string): CandidateTrack | undefined => {
    const current = model.candidates[id]
    if (!current) return undefined
    if (touched.has(id)) return current
    const copy: CandidateTrack = { ...current, segments: current.segments.slice() }
    candidatesForWrite()[id] = copy
    touched.add(id)
    return copy
  }
  const open = (id: string, kind: SegmentKind, time: number, label = '') => {
    const candidate = track(id)
    if (!candidate) return
    closeRunning(candidate, time, 'ok')
    candidate.segments.push({ kind, start: time, end: null, outcome: 'running', label })
  }
  const close = (id: string, kind: SegmentKind, time: number, outcome: SegmentOutcome, label: string, startFallback?: number) => {
    const candidate = track(id)
    if (!candidate) return
    const segment = lastOpen(candidate, kind)
    if (segment) Object.assign(segment, { end: time, outcome, label })
    else candidate.segments.push({ kind, start: startFallback ?? lastEnd(candidate) ?? time, end: time, outcome, label })
  }
  const say = (role: AgentRole, id: string, text: string) => {
    if (model.textCandidate[role] !== id) {
      if (model.textCandidate === previous.textCandidate) model.textCandidate = { ...previous.textCandidate }
      model.textCandidate[role] = id
      ;(pendingText[role] ??= []).push(`\n\n── ${id} ──\n`)
    }
    ;(pendingText[role] ??= []).push(text)
  }
  const note = (entry: RunNote) => {
    if (!notesCopied) model.notes = model.notes.slice(-LOG_LIMIT + 1)
    notesCopied = true
    model.notes.push(entry)
  }

  for (const event of fresh) {
    const time = Date.parse(event.time)
    applyRunFacts(model, event)
    model.eventCount += 1
    switch (event.type) {
      case 'run-start':
        if (event.resumed) note({ seq: event.seq, time, tone: 'info', text: 'Resumed from its log.' })
        break
      case 'candidate-start': {
        const id = event.candidate.id
        if (!model.candidates[id]) {
          if (!orderCopied) model.candidateOrder = model.candidateOrder.slice()
          orderCopied = true
          model.candidateOrder.push(id)
          candidatesForWrite()[id] = { record: event.candidate, segments: [], verdict: null, analysis: null }
          touched.add(id)
        } else {
          const candidate = track(id)
          if (candidate) candidate.record = event.candidate
        }
        break
      }
      case 'design-start':
        open(event.candidateId, 'design', time)
        break
      case 'design-delta':
        say('designer', event.candidateId, event.text)
        break
      case 'design-end':
        close(event.candidateId, 'design', time, 'ok', `${event.chars} characters of plan`)
        break
      case 'code-start':
        open(event.candidateId, 'code', time, event.role)
        break
      case 'code-delta': {
        const role = model.candidates[event.candidateId]?.segments.at(-1)?.label === 'fixer' ? 'fixer' : 'coder'
        say(role, event.candidateId, event.text)
        break
      }
      case 'code-end':
        close(event.candidateId, 'code', time, event.codePath ? 'ok' : 'fail', event.codePath ? 'code extracted' : 'no code in the answer')
        break
      case 'check-end':
        close(
          event.candidateId,
          'check',
          time,
          event.passed ? (event.findings.length > 0 ? 'warn' : 'ok') : 'fail',
          event.findings.length > 0 ? event.findings.map((finding) => `${finding.rule}: ${finding.message}`).join('\n') : 'static checks passed',
        )
        break
      case 'verify-start':
        open(event.candidateId, event.purpose === 'tune' ? 'tune' : 'verify', time, `${event.purpose} on ${event.device}`)
        break
      case 'verify-end': {
        const verdict = event.verdict
        const outcome: SegmentOutcome = verdict.status === 'passed' ? (verdict.flags.length > 0 ? 'warn' : 'ok') : 'fail'
        const label = verdict.error ? `${verdict.status} (${verdict.error.stage}): ${verdict.error.message}` : verdict.status
        const candidate = track(event.candidateId)
        if (!candidate) break
        const kind = lastOpen(candidate, 'tune') ? 'tune' : 'verify'
        // A migration also checks the new kernel against the source kernel as reference: that
        // verdict's "eager" is the source, so it is neither the candidate's verdict nor a speedup.
        const againstSource = lastOpen(candidate, 'verify')?.label.startsWith('source') ?? false
        close(event.candidateId, kind, time, outcome, againstSource ? `against the source kernel: ${label}` : label, time - event.durationMs)
        if (againstSource) break
        candidate.verdict = verdict
        if (verdict.status === 'passed' && verdict.timing) {
          const previousPoint = model.speedups.at(-1)
          const eager = verdict.timing.speedup_vs_eager
          const compile = verdict.timing.speedup_vs_compile
          if (!speedupsCopied) model.speedups = model.speedups.slice()
          speedupsCopied = true
          model.speedups.push({
            seq: event.seq,
            step: candidate.record.step,
            time,
            candidateId: event.candidateId,
            eager,
            compile,
            bestEager: maxOf(previousPoint?.bestEager ?? null, eager),
            bestCompile: maxOf(previousPoint?.bestCompile ?? null, compile),
          })
        }
        break
      }
      case 'source-check-end':
        close(
          event.candidateId,
          'check',
          time,
          event.status === 'passed' ? 'ok' : event.status === 'skipped' ? 'warn' : 'fail',
          `source check ${event.status}: ${event.detail}`,
        )
        {
          const candidate = track(event.candidateId)
          if (candidate) candidate.sourceCheck = { sourceCandidateId: event.sourceCandidateId, status: event.status, detail: event.detail }
        }
        break
      case 'profile-end': {
        close(event.candidateId, 'profile', time, 'ok', `${event.analysis.bound}: ${event.analysis.summary}`)
        const candidate = track(event.candidateId)
        if (candidate) candidate.analysis = event.analysis
        break
      }
      case 'tune-start':
        open(event.candidateId, 'tune', time, 'tuning')
        break
      case 'tune-end':
        close(event.candidateId, 'tune', time, event.resultCandidateId ? 'ok' : 'warn', event.detail)
        break
      case 'conductor-decision':
        if (!decisionsCopied) model.decisions = model.decisions.slice(-LOG_LIMIT + 1)
        decisionsCopied = true
        model.decisions.push({ seq: event.seq, time, candidateId: event.candidateId, action: event.action, reason: event.reason })
        break
      case 'candidate-end': {
        const candidate = track(event.candidate.id)
        if (!candidate) break
        candidate.record = event.candidate
        closeRunning(candidate, time, terminalOutcome(event.candidate))
        break
      }
      case 'island-migration':
        note({ seq: event.seq, time, tone: 'info', text: `Island ${event.fromIsland} → ${event.toIsland}: ${event.candidateIds.join(', ')}` })
        break
      case 'run-error':
        note({ seq: event.seq, time, tone: 'error', text: `${event.code}: ${event.message}${event.candidateId ? ` (${event.candidateId})` : ''}` })
        if (event.candidateId) {
          const candidate = track(event.candidateId)
          if (candidate) closeRunning(candidate, time, 'fail')
        }
        break
      case 'run-end':
        model.bestCandidateId = event.bestCandidateId
        for (const id of model.candidateOrder) {
          const candidate = model.candidates[id]
          if (candidate?.segments.some((segment) => segment.end === null)) closeRunning(track(id) as CandidateTrack, time, 'fail')
        }
        break
    }
  }
  if (Object.keys(pendingText).length > 0) model.text = { ...previous.text }
  for (const [role, parts] of Object.entries(pendingText) as Array<[AgentRole, string[]]>) {
    const joined = (model.text[role] ?? '') + parts.join('')
    model.text[role] = joined.length > TEXT_LIMIT ? joined.slice(joined.length - TEXT_LIMIT) : joined
  }
  return model
}

function lastOpen(candidate: CandidateTrack, kind: SegmentKind): Segment | undefined {
  for (let index = candidate.segments.length - 1; index >= 0; index -= 1) {
    const segment = candidate.segments[index]
    if (segment && segment.kind === kind && segment.end === null) {
      candidate.segments[index] = { ...segment }
      return candidate.segments[index]
    }
  }
  return undefined
}

function lastEnd(candidate: CandidateTrack): number | null {
  return candidate.segments.at(-1)?.end ?? null
}

/** Closes whatever is still running (a step that ended without its end event: the run was cut). */
function closeRunning(candidate: CandidateTrack, time: number, outcome: SegmentOutcome): void {
  candidate.segments = candidate.segments.map((segment) => (segment.end === null ? { ...segment, end: time, outcome } : segment))
}

function terminalOutcome(record: CandidateRecord): SegmentOutcome {
  if (record.status === 'passed') return 'ok'
  if (record.status === 'cancelled') return 'warn'
  return 'fail'
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b
  if (b === null) return a
  return Math.max(a, b)
}
