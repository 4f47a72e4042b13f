import type { RunEventType } from '../contract/runs.ts'

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'string|null' | 'object|null'

/** The fields each event type must carry, with their JSON kinds; what fold and the views read. */
const required: Record<RunEventType, Record<string, Kind>> = {
  'run-start': { spec: 'object', resumed: 'boolean' },
  'candidate-start': { candidate: 'object' },
  'design-start': { candidateId: 'string', promptPath: 'string' },
  'design-delta': { candidateId: 'string', text: 'string' },
  'design-end': { candidateId: 'string', answerPath: 'string', chars: 'number' },
  'code-start': { candidateId: 'string', role: 'string', promptPath: 'string' },
  'code-delta': { candidateId: 'string', text: 'string' },
  'code-end': { candidateId: 'string', answerPath: 'string', codePath: 'string|null' },
  'check-end': { candidateId: 'string', passed: 'boolean', findings: 'array' },
  'verify-start': { candidateId: 'string', device: 'string', purpose: 'string' },
  'verify-end': { candidateId: 'string', verdict: 'object', resultPath: 'string', durationMs: 'number' },
  'source-check-end': { candidateId: 'string', sourceCandidateId: 'string', status: 'string', detail: 'string' },
  'profile-end': { candidateId: 'string', analysis: 'object' },
  'diagnosis-sent': { candidateId: 'string', parentId: 'string', bound: 'string', facts: 'array' },
  'conductor-decision': { candidateId: 'string|null', action: 'string', reason: 'string' },
  'candidate-end': { candidate: 'object' },
  'tune-start': { candidateId: 'string' },
  'tune-end': { candidateId: 'string', resultCandidateId: 'string|null', detail: 'string' },
  usage: { role: 'string', model: 'string', usage: 'object', totals: 'object' },
  'island-migration': { fromIsland: 'number', toIsland: 'number', candidateIds: 'array' },
  'step-end': { step: 'number' },
  'run-error': { message: 'string', code: 'string', candidateId: 'string|null', fatal: 'boolean' },
  'run-end': { reason: 'string', status: 'string', bestCandidateId: 'string|null', detail: 'string' },
}

const candidateFields: Record<string, Kind> = { id: 'string', status: 'string', origin: 'string', timing: 'object' }

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function mismatch(record: Record<string, unknown>, fields: Record<string, Kind>, prefix: string): string | null {
  for (const [name, kind] of Object.entries(fields)) {
    const actual = kindOf(record[name])
    if (!kind.split('|').includes(actual)) return `${prefix}${name} is ${name in record ? actual : 'missing'} (expected ${kind.replace('|', ' or ')})`
  }
  return null
}

/**
 * Why a parsed log line is not the event expected at this place in the run's log, or null when it
 * is: the run's id, the next seq in order, an ISO time, a known type and that type's fields.
 */
export function eventProblem(value: unknown, expected: { runId: string; seq: number }): string | null {
  if (kindOf(value) !== 'object') return `it is ${kindOf(value)}, not an event object`
  const event = value as Record<string, unknown>
  if (typeof event.type !== 'string' || !(event.type in required)) return `its type ${JSON.stringify(event.type ?? null)} is not a run event type`
  if (event.runId !== expected.runId) return `it belongs to run ${JSON.stringify(event.runId ?? null)}, not ${expected.runId}`
  if (event.seq !== expected.seq) return `its seq is ${JSON.stringify(event.seq ?? null)} where ${expected.seq} comes next (a duplicate or missing event)`
  if (typeof event.time !== 'string' || Number.isNaN(Date.parse(event.time))) return 'its time is not an ISO date'
  const fields = mismatch(event, required[event.type as RunEventType], '')
  if (fields) return fields
  if (event.type === 'candidate-start' || event.type === 'candidate-end')
    return mismatch(event.candidate as Record<string, unknown>, candidateFields, 'candidate.')
  return null
}
