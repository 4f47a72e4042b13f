import { describe, expect, it } from 'vitest'
import type { CandidateRecord, VerdictSummary } from '../contract/runs.ts'
import { incorrectReason } from './conductor.ts'

const candidate = (failedChecks: string[]): CandidateRecord =>
  ({ id: 'c0001', verdict: { status: 'incorrect', failedChecks, maxAbsError: 1.9e-6 } as VerdictSummary }) as CandidateRecord

describe("the rule Conductor's reason for fixing an incorrect candidate", () => {
  it('names the check that failed, not a passing error measure', () => {
    expect(incorrectReason(candidate(['correct_across_shapes']))).toBe(
      "right at the task's shapes, wrong at others: sizes hard-coded or not masked, strides assumed",
    )
    expect(incorrectReason(candidate(['output_depends_on_inputs']))).toMatch(/constant or remembered result/)
    expect(incorrectReason(candidate(['output_structure', 'output_matches_reference']))).toMatch(/number, shapes or dtypes/)
    expect(incorrectReason(candidate(['output_matches_reference']))).toBe('wrong outputs (max abs error 0.0000019): check indexing, masks and accumulation')
  })
})
