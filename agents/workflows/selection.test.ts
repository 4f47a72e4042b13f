import { describe, expect, it } from 'vitest'
import type { CandidateRecord } from '../contract/runs.ts'
import { islandElites, ucbScores, ucbSelect } from './selection.ts'

const candidate = (id: string, medianMs: number | null, options: Partial<CandidateRecord> = {}): CandidateRecord => ({
  id,
  runId: 'r',
  parentId: null,
  inspirationIds: [],
  island: null,
  step: 1,
  dsl: 'cpp',
  origin: 'generate',
  codePath: `candidates/${id}/candidate.py`,
  status: medianMs === null ? 'incorrect' : 'passed',
  findings: [],
  params: null,
  speedups: null,
  timing: { startedAt: '', endedAt: '', generateMs: 0, verifyMs: 0 },
  verdict: {
    status: medianMs === null ? 'incorrect' : 'passed',
    correct: medianMs !== null,
    interpreted: false,
    errorStage: null,
    errorMessage: null,
    failedChecks: [],
    medianMs,
    eagerMs: 1,
    compileMs: 1,
    maxAbsError: 0,
    flags: [],
  },
  ...options,
})

describe('UCB parent selection', () => {
  it('exploits the fastest candidate while visits are even', () => {
    const pool = [candidate('a', 2), candidate('b', 1)]
    expect(ucbSelect(pool, pool, 1.4)!.id).toBe('b')
  })

  it('explores a slower candidate once the fastest has been bred from often', () => {
    const pool = [candidate('a', 1.25), candidate('b', 1)]
    const children = Array.from({ length: 8 }, (_, index) => candidate(`child${index}`, null, { parentId: 'b' }))
    const all = [...pool, ...children]
    const scores = ucbScores(pool, all, 1.4)
    expect(scores.find((score) => score.candidate.id === 'b')!.visits).toBe(8)
    expect(ucbSelect(pool, all, 1.4)!.id).toBe('a')
    // With no exploration bonus the fastest always wins.
    expect(ucbSelect(pool, all, 0)!.id).toBe('b')
  })

  it('never selects from an empty pool', () => {
    expect(ucbSelect([], [], 1)).toBeNull()
  })
})

describe('island elites', () => {
  it("ranks an island's correct candidates and those that migrated in, fastest first", () => {
    const all = [candidate('a', 3, { island: 0 }), candidate('b', 1, { island: 1 }), candidate('c', 2, { island: 0 }), candidate('d', null, { island: 0 })]
    expect(islandElites(all, 0, undefined, 3).map((elite) => elite.id)).toEqual(['c', 'a'])
    expect(islandElites(all, 0, new Set(['b']), 2).map((elite) => elite.id)).toEqual(['b', 'c'])
  })
})
