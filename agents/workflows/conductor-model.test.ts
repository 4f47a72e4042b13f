import { describe, expect, it } from 'vitest'
import { kernelAnswer, runFixture } from '../testing/run-fixture.ts'

/** Coder answers in order, and the Conductor model's answers in order, from one scripted model. */
function script(code: string[], conductor: string[]) {
  let coder = 0
  let asked = 0
  return {
    answer: (request: { role?: string }) => {
      if (request.role === 'conductor') return conductor[asked++] ?? '{"action": "stop", "reason": "nothing left to try"}'
      const answer = code[coder++]
      if (answer === undefined) throw new Error('no coder answer scripted')
      return answer
    },
    asked: () => asked,
  }
}

describe('the Conductor model', () => {
  it('chooses the next action with its reason, within the budget', async () => {
    const scripted = script(
      [kernelAnswer('passed 0.8'), kernelAnswer('passed 0.5')],
      [
        '{"action": "optimize", "reason": "c0001 is correct but memory-bound at 40% of peak; a rewrite can fuse the passes."}',
        '```json\n{"action": "stop", "reason": "c0002 reaches 2x eager; the remaining budget is better kept."}\n```',
      ],
    )
    const run = await runFixture({
      spec: { workflow: 'optimize', models: { conductor: 'ollama:qwen3:8b' }, budget: { candidates: 4 } },
      code: (request) => scripted.answer(request),
    })
    const decisions = run.of('conductor-decision')
    expect(decisions.map((event) => [event.action, event.by])).toEqual([
      ['optimize', 'model'],
      ['stop', 'model'],
    ])
    expect(decisions[0]!.reason).toContain('memory-bound at 40% of peak')
    expect(run.summary.best).toMatchObject({ candidateId: 'c0002' })
    const prompt = run.model.requests.find((request) => request.role === 'conductor')!.messages.at(-1)!.content
    expect(prompt).toContain('Budget used: 1 of 4 candidates')
    expect(prompt).toContain('The rule-based Conductor would choose')
    expect(prompt).toContain('Allowed actions now: optimize, regenerate, stop.')
  })

  it('falls back to the rules, saying why, when the answer is not valid or not allowed', async () => {
    const scripted = script(
      [kernelAnswer('compile_error'), kernelAnswer('passed 0.5'), kernelAnswer('passed 0.4')],
      ['I think we should fix it.', '{"action": "tune", "reason": "tune the broken kernel first"}'],
    )
    const run = await runFixture({
      spec: { workflow: 'optimize', models: { conductor: 'ollama:qwen3:8b' }, budget: { candidates: 3 } },
      code: (request) => scripted.answer(request),
    })
    const decisions = run.of('conductor-decision')
    expect(decisions[0]).toMatchObject({ action: 'fix', by: 'rules' })
    expect(decisions[0]!.reason).toContain("the Conductor model's answer was not used, the answer held no JSON object")
    expect(decisions[1]).toMatchObject({ action: 'optimize', by: 'rules' })
    expect(decisions[1]!.reason).toContain('tune is not allowed now')
    // The third answer (the script's default) is a valid stop: the model may end a run early.
    expect(decisions[2]).toMatchObject({ action: 'stop', by: 'model' })
  })

  it('is not asked when no Conductor model is set, and never overrides the stop of a single run', async () => {
    const rulesOnly = await runFixture({
      spec: { workflow: 'optimize', budget: { candidates: 2 } },
      code: [kernelAnswer('passed 0.8'), kernelAnswer('passed 0.5')],
    })
    expect(rulesOnly.model.requests.some((request) => request.role === 'conductor')).toBe(false)
    expect(rulesOnly.of('conductor-decision').every((event) => event.by === 'rules')).toBe(true)
    const scripted = script([kernelAnswer('passed 0.8')], ['{"action": "optimize", "reason": "keep going"}'])
    const single = await runFixture({ spec: { workflow: 'single', models: { conductor: 'ollama:qwen3:8b' } }, code: (request) => scripted.answer(request) })
    expect(scripted.asked()).toBe(0)
    expect(single.of('conductor-decision').map((event) => event.action)).toEqual(['stop'])
  })
})
