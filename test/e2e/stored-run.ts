import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CandidateOrigin, CandidateRecord, Dsl, RunEventDraft, RunSpec } from '../../agents/contract/index.ts'

/** A passed candidate's record as the run engine logs it at candidate-end, its code at candidates/ID/candidate.py. */
export function passedRecord(
  runId: string,
  id: string,
  fields: {
    dsl: Dsl
    step: number
    origin: CandidateOrigin
    parentId?: string | null
    medianMs: number
    eagerMs: number
    compileMs: number | null
    /** As the verdict computed them; by default eager and compile over the median. */
    speedups?: { eager: number | null; compile: number | null }
  },
): CandidateRecord {
  const now = new Date().toISOString()
  return {
    id,
    runId,
    parentId: fields.parentId ?? null,
    inspirationIds: [],
    island: null,
    step: fields.step,
    dsl: fields.dsl,
    origin: fields.origin,
    codePath: `candidates/${id}/candidate.py`,
    status: 'passed',
    findings: [],
    params: null,
    verdict: {
      status: 'passed',
      correct: true,
      interpreted: false,
      errorStage: null,
      errorMessage: null,
      failedChecks: [],
      medianMs: fields.medianMs,
      eagerMs: fields.eagerMs,
      compileMs: fields.compileMs,
      maxAbsError: 0,
      flags: [],
    },
    timing: { startedAt: now, endedAt: now, generateMs: 10, verifyMs: 10 },
    speedups: fields.speedups ?? { eager: fields.eagerMs / fields.medianMs, compile: fields.compileMs === null ? null : fields.compileMs / fields.medianMs },
  }
}

/** A run folder's spec.json and events.jsonl, as the run engine writes them (seq and times filled in). */
export function writeRunLog(folder: string, runId: string, spec: RunSpec, events: RunEventDraft[]): void {
  writeFileSync(join(folder, 'spec.json'), JSON.stringify(spec, null, 2))
  writeFileSync(
    join(folder, 'events.jsonl'),
    events.map((event, seq) => JSON.stringify({ ...event, runId, seq, time: new Date(Date.now() - 60_000 + seq * 100).toISOString() })).join('\n') + '\n',
  )
}
