import { describe, expect, it } from 'vitest'
import { syntheticRun } from '../../../test/fixtures/synthetic-run.ts'
import { applyRunFacts, emptyRunFacts, type RunEvent } from '../../../agents/contract/index.ts'
import { applyRunEvents, emptyRunModel, TEXT_LIMIT } from './run-model.ts'

describe('folding run events into the model the Run view draws', () => {
  const events = syntheticRun({ candidates: 20, events: 2_000, islands: 2, seed: 3 })

  it('gives each candidate a lane of design, code, check, verify and profile segments, all closed at the end', () => {
    const model = applyRunEvents(emptyRunModel('run-synthetic'), events)
    expect(model.candidateOrder).toHaveLength(20)
    const first = model.candidates[model.candidateOrder[0] as string]
    expect(first?.segments.map((segment) => segment.kind)).toEqual(['design', 'code', 'check', 'verify', 'profile'])
    expect(Object.values(model.candidates).every((candidate) => candidate.segments.every((segment) => segment.end !== null))).toBe(true)
    expect(model.status).toBe('completed')
    expect(model.eventCount).toBe(events.length)
  })

  it('colours a failed verification as a failure, with the error in its label', () => {
    const model = applyRunEvents(emptyRunModel('run-synthetic'), events)
    const failed = Object.values(model.candidates).find((candidate) => candidate.verdict && candidate.verdict.status !== 'passed')
    const verify = failed?.segments.find((segment) => segment.kind === 'verify')
    expect(verify?.outcome).toBe('fail')
    expect(verify?.label).toMatch(/incorrect|compile_error/)
  })

  it('keeps the best speedup so far non-decreasing, one point per passed verification', () => {
    const model = applyRunEvents(emptyRunModel('run-synthetic'), events)
    const passed = Object.values(model.candidates).filter((candidate) => candidate.verdict?.status === 'passed')
    expect(model.speedups).toHaveLength(passed.length)
    const best = model.speedups.map((point) => point.bestEager ?? 0)
    expect(best).toEqual([...best].sort((a, b) => a - b))
    expect(best.at(-1)).toBeCloseTo(Math.max(...model.speedups.map((point) => point.eager ?? 0)))
  })

  it('ends the same whether the events arrive at once or a few at a time, and ignores repeats', () => {
    const whole = applyRunEvents(emptyRunModel('run-synthetic'), events)
    let pieces = emptyRunModel('run-synthetic')
    for (let index = 0; index < events.length; index += 37) pieces = applyRunEvents(pieces, events.slice(Math.max(0, index - 5), index + 37))
    expect(pieces).toEqual(whole)
  })

  it('leaves untouched candidates as the same objects, so their lanes need no redraw', () => {
    const half = applyRunEvents(emptyRunModel('run-synthetic'), events.slice(0, 1_000))
    const next = applyRunEvents(half, events.slice(1_000, 1_010))
    const firstId = half.candidateOrder[0] as string
    expect(next.candidates[firstId]).toBe(half.candidates[firstId])
  })

  it('keeps the candidates map itself when a batch holds only streamed text', () => {
    const firstDelta = events.findIndex((event) => event.type === 'code-delta')
    const before = applyRunEvents(emptyRunModel('run-synthetic'), events.slice(0, firstDelta))
    const after = applyRunEvents(before, events.slice(firstDelta, firstDelta + 5))
    expect(after.candidates).toBe(before.candidates)
    expect(after.text.coder).not.toBe(before.text.coder)
  })

  it('keeps only the tail of streamed text per role', () => {
    const big = syntheticRun({ candidates: 4, events: 20_000, seed: 5 })
    const model = applyRunEvents(emptyRunModel('run-synthetic'), big)
    expect(model.text.coder?.length).toBeLessThanOrEqual(TEXT_LIMIT)
    expect(model.text.coder).toContain('tl.dot')
  })

  it('holds the run-level facts the shared fold gives, the one the engine and the run list use', () => {
    const facts = emptyRunFacts()
    for (const event of events) applyRunFacts(facts, event)
    const model = applyRunEvents(emptyRunModel('run-synthetic'), events)
    expect(Object.fromEntries(Object.keys(facts).map((key) => [key, model[key as keyof typeof facts]]))).toEqual(facts)
    expect(model.steps).toBe(Math.max(...events.flatMap((event) => (event.type === 'step-end' ? [event.step] : []))))
    expect(model.endedAt).toBe(events.at(-1)?.time)
  })

  it('clears the last ending when the run resumes, and keeps its first start time', () => {
    const ended = applyRunEvents(emptyRunModel('run-synthetic'), events)
    const start = events[0] as Extract<RunEvent, { type: 'run-start' }>
    const resumed = applyRunEvents(ended, [{ ...start, seq: ended.nextSeq, time: '2026-11-22T09:00:00.000Z', resumed: true }])
    expect(resumed).toMatchObject({ status: 'running', endReason: null, endDetail: null, endedAt: null, createdAt: ended.createdAt, steps: ended.steps })
    expect(resumed.notes.at(-1)?.text).toBe('Resumed from its log.')
  })
})
