import { describe, expect, it } from 'vitest'
import { applyRunFacts, emptyRunFacts, type RunEvent, type RunFacts } from '../contract/index.ts'
import { foldEvents } from './state.ts'

const time = (second: number) => new Date(Date.UTC(2026, 10, 30, 9, 0, second)).toISOString()
const spec = { title: 't', taskPath: '/tasks/relu.py', dsl: 'triton', device: 'cpu', workflow: 'single', models: { coder: 'replay:x' } } as unknown as Extract<
  RunEvent,
  { type: 'run-start' }
>['spec']
const usage = { inputTokens: 10, outputTokens: 5, costUsd: 0, calls: 1 }

/** A run that stops on a fatal error, then resumes and completes. */
const log: RunEvent[] = (
  [
    { type: 'run-start', spec, resumed: false },
    { type: 'usage', role: 'coder', model: 'replay:x', usage, totals: usage },
    { type: 'step-end', step: 2 },
    { type: 'step-end', step: 1 },
    { type: 'run-error', candidateId: null, fatal: true, code: 'PROVIDER', message: 'gone' },
    { type: 'run-end', reason: 'error', status: 'failed', bestCandidateId: null, detail: 'the provider is gone' },
    { type: 'run-start', spec, resumed: true },
    { type: 'run-end', reason: 'search-complete', status: 'completed', bestCandidateId: null, detail: 'done' },
  ] as Array<Record<string, unknown>>
).map((event, seq) => ({ ...event, runId: 'r1', seq, time: time(seq * 10) }) as RunEvent)

describe('the run facts fold', () => {
  it('folds status, steps, usage, replay and the fatal error the same for every reader', () => {
    const facts = emptyRunFacts()
    for (const event of log.slice(0, 6)) applyRunFacts(facts, event)
    expect(facts).toMatchObject({
      status: 'failed',
      endReason: 'error',
      steps: 2,
      replayed: true,
      nextSeq: 6,
      fatalError: { code: 'PROVIDER', message: 'gone' },
      createdAt: time(0),
      endedAt: time(50),
    })
    applyRunFacts(facts, log[6] as RunEvent)
    expect(facts).toMatchObject({ status: 'running', endReason: null, endDetail: null, endedAt: null, fatalError: null, createdAt: time(0) })
  })

  it('is the fold the engine resumes from: its state holds the same facts', () => {
    const facts: RunFacts = emptyRunFacts()
    for (const event of log) applyRunFacts(facts, event)
    const state = foldEvents('r1', log)
    expect(Object.fromEntries(Object.keys(facts).map((key) => [key, state[key as keyof RunFacts]]))).toEqual(facts)
    // Time between the failed end and the resume is not counted.
    expect(state.elapsedMs).toBe(50_000 + 10_000)
  })
})
