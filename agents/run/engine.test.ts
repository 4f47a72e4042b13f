import { describe, expect, it } from 'vitest'
import { ModelError } from '../ports/index.ts'
import { repeatedFailureLimit } from '../roles/conductor.ts'
import { ManualClock } from '../testing/fake-runner.ts'
import { kernelAnswer, runFixture } from '../testing/run-fixture.ts'
import { MemoryRunStore } from '../testing/memory-store.ts'

const decisions = (fixture: Awaited<ReturnType<typeof runFixture>>) => fixture.of('conductor-decision').map((event) => event.action)

describe('single workflow', () => {
  it('designs, codes, checks, verifies and stops at the first correct candidate, with artifacts on the store', async () => {
    const run = await runFixture({ code: [kernelAnswer('passed 0.5')] })
    expect(run.summary.status).toBe('completed')
    expect(run.summary.endReason).toBe('correct')
    expect(run.summary.best).toEqual({
      candidateId: 'c0001',
      medianMs: 0.5,
      eagerMs: 1,
      compileMs: 0.9,
      speedupVsEager: 2,
      speedupVsCompile: 1.8,
      noisy: false,
    })
    const types = run.store.events.map((event) => event.type).filter((type) => !type.endsWith('-delta'))
    expect(types).toEqual([
      'run-start',
      'candidate-start',
      'design-start',
      'usage',
      'design-end',
      'code-start',
      'usage',
      'code-end',
      'check-end',
      'verify-start',
      'verify-end',
      'profile-end',
      'candidate-end',
      'step-end',
      'conductor-decision',
      'run-end',
    ])
    expect(run.store.events.map((event) => event.seq)).toEqual(run.store.events.map((_, index) => index))
    expect(run.live).toEqual(run.store.events)
    for (const path of [
      'candidates/c0001/plan.md',
      'candidates/c0001/prompt.md',
      'candidates/c0001/answer.md',
      'candidates/c0001/candidate.py',
      'candidates/c0001/result.json',
    ]) {
      expect(run.store.artifacts.has(path), path).toBe(true)
    }
    expect(run.store.artifacts.get('candidates/c0001/prompt.md')).toContain('Plan: one thread per row')
  })

  it('marks the best candidate noisy in the run summary when its timing was too spread to trust', async () => {
    const run = await runFixture({ code: [kernelAnswer('passed 0.5 noisy')] })
    expect(run.summary.best).toMatchObject({ candidateId: 'c0001', speedupVsEager: 2, noisy: true })
  })

  it('routes a compile error to the Fixer with the harness message, then stops when the fix is correct', async () => {
    const run = await runFixture({ code: [kernelAnswer('compile_error'), kernelAnswer('passed')] })
    expect(decisions(run)).toEqual(['fix', 'stop'])
    const fixer = run.model.requests.find((request) => request.role === 'fixer')!
    expect(fixer.messages.at(-1)!.content).toContain('compile_error in candidate')
    const candidates = run.of('candidate-end').map((event) => event.candidate)
    expect(candidates.map((candidate) => [candidate.id, candidate.origin, candidate.parentId, candidate.status])).toEqual([
      ['c0001', 'generate', null, 'compile_error'],
      ['c0002', 'fix', 'c0001', 'passed'],
    ])
  })

  it('regenerates from a new design after two fixes in a row fail', async () => {
    const run = await runFixture({ code: [kernelAnswer('runtime_error'), kernelAnswer('incorrect'), kernelAnswer('compile_error'), kernelAnswer('passed')] })
    expect(decisions(run)).toEqual(['fix', 'fix', 'regenerate', 'stop'])
    expect(run.model.requests.filter((request) => request.role === 'designer')).toHaveLength(2)
    const regenerate = run.model.requests.filter((request) => request.role === 'coder').at(-1)!
    expect(regenerate.messages.at(-1)!.content).toContain('take a different approach')
  })

  it('sends checker findings to the Fixer without running the harness on a cheat', async () => {
    const cheat = kernelAnswer('passed').replace('return relu_module.relu_forward(x)', 'return torch.relu(x)')
    const run = await runFixture({ code: [cheat, kernelAnswer('passed')] })
    const check = run.of('check-end')[0]!
    expect(check.passed).toBe(false)
    expect(check.findings.map((finding) => finding.rule)).toContain('torch-compute')
    expect(run.runner.requests).toHaveLength(1)
    expect(decisions(run)).toEqual(['fix', 'stop'])
    expect(run.model.requests.find((request) => request.role === 'fixer')!.messages.at(-1)!.content).toContain('forward calls PyTorch compute (torch.relu)')
  })

  it('regenerates when an answer holds no code', async () => {
    const run = await runFixture({ code: ['I cannot help with that.', kernelAnswer('passed')] })
    expect(decisions(run)).toEqual(['regenerate', 'stop'])
    expect(run.of('candidate-end')[0]!.candidate.status).toBe('rejected')
  })

  it('keeps going when one candidate fails inside the runner', async () => {
    const run = await runFixture({ code: [kernelAnswer('throw'), kernelAnswer('passed')] })
    expect(run.of('run-error')).toMatchObject([{ fatal: false, candidateId: 'c0001', message: 'worker crashed' }])
    expect(run.summary.status).toBe('completed')
  })
})

describe('stop rules', () => {
  it('stops at the step limit', async () => {
    const run = await runFixture({ spec: { budget: { steps: 3 } }, code: () => kernelAnswer('incorrect') })
    expect(run.summary).toMatchObject({ endReason: 'step-limit', status: 'stopped', steps: 3 })
  })

  it('stops after repeated failures', async () => {
    const run = await runFixture({ spec: { budget: { steps: 100, candidates: 100 } }, code: () => kernelAnswer('compile_error') })
    expect(run.summary.endReason).toBe('failure-limit')
    expect(run.summary.candidates).toBe(repeatedFailureLimit)
  })

  it('stops when the candidate budget is spent', async () => {
    const run = await runFixture({ spec: { budget: { candidates: 2 } }, code: () => kernelAnswer('timeout') })
    expect(run.summary).toMatchObject({ endReason: 'budget-candidates', candidates: 2 })
  })

  it('stops when the token budget is spent', async () => {
    const run = await runFixture({ spec: { budget: { tokens: 2500 } }, tokensPerCall: 1000, code: () => kernelAnswer('incorrect') })
    expect(run.summary.endReason).toBe('budget-tokens')
    expect(run.summary.usage.inputTokens + run.summary.usage.outputTokens).toBeGreaterThanOrEqual(2500)
  })

  it('stops when the time budget is spent', async () => {
    // Each evaluation takes four simulated minutes.
    const run = await runFixture({ spec: { budget: { minutes: 10 } }, runnerSleepMs: 4 * 60_000, code: () => kernelAnswer('incorrect') })
    expect(run.summary.endReason).toBe('budget-minutes')
    expect(run.summary.candidates).toBe(3)
    expect(run.summary.elapsedMs).toBeGreaterThanOrEqual(10 * 60_000)
  })
})

describe('optimize workflow', () => {
  it('ends completed with its correct kernel when a later model call fails, saying what failed', async () => {
    const run = await runFixture({
      spec: { workflow: 'optimize', budget: { candidates: 4 } },
      code: (_request, index) => {
        if (index === 0) return kernelAnswer('passed 0.8')
        // A replay cassette with one coder answer is used up by the optimize step: a fatal provider error.
        throw new ModelError('PROVIDER_CONFIG', 'the cassette is used up for the coder role')
      },
    })
    expect(run.summary.status).toBe('completed')
    expect(run.summary.endReason).toBe('error')
    expect(run.summary.endDetail).toContain('c0001 is correct')
    expect(run.summary.endDetail).toContain('used up for the coder role')
    expect(run.summary.best?.candidateId).toBe('c0001')
  })

  it('tunes the first correct candidate, then rewrites the best with its profile, keeping the fastest', async () => {
    const tuned: string[] = []
    const run = await runFixture({
      spec: { workflow: 'optimize', budget: { candidates: 4 } },
      code: [kernelAnswer('passed 0.8'), kernelAnswer('incorrect'), kernelAnswer('passed 0.3')],
      tune: async (request) => {
        tuned.push(request.candidate.id)
        return {
          code: request.code.replace(/passed ([\d.]+)/, (_, value: string) => `passed ${Number(value) / 2}`),
          params: { CHUNK: 1024 },
          detail: '3 of 3 configurations',
        }
      },
    })
    // Only a new best is tuned; a failed rewrite is fixed, and the fix that beats the best is routed to the tuner in turn (the budget ends it first).
    expect(decisions(run)).toEqual(['tune', 'optimize', 'fix', 'tune'])
    expect(tuned).toEqual(['c0001'])
    const candidates = run.of('candidate-end').map((event) => event.candidate)
    expect(candidates.map((candidate) => [candidate.origin, candidate.parentId, candidate.verdict?.medianMs ?? null])).toEqual([
      ['generate', null, 0.8],
      ['tune', 'c0001', 0.4],
      ['optimize', 'c0002', null],
      ['fix', 'c0003', 0.3],
    ])
    expect(candidates[1]!.params).toEqual({ CHUNK: 1024 })
    expect(run.summary).toMatchObject({ status: 'completed', endReason: 'budget-candidates', best: { candidateId: 'c0004', medianMs: 0.3 } })
    const optimizePrompt = run.model.requests.filter((request) => request.role === 'coder')[1]!.messages.at(-1)!.content
    expect(optimizePrompt).toContain('median 0.4 ms')
    expect(optimizePrompt).toContain('Profile:')
  })
})

describe('evolve workflow', () => {
  it('breeds each island from its own elites, migrates the best around the ring, and bounds concurrency', async () => {
    let call = 0
    const run = await runFixture({
      spec: { workflow: 'evolve', budget: { candidates: 12, steps: 100 }, search: { islands: 2, population: 2, migrationInterval: 1, concurrency: 3 } },
      slots: 8,
      code: () => kernelAnswer(`passed ${(2 - (call++ % 20) * 0.05).toFixed(2)}`),
    })
    const candidates = run.of('candidate-end').map((event) => event.candidate)
    expect(candidates).toHaveLength(12)
    expect(candidates.filter((candidate) => candidate.island === 0)).toHaveLength(6)
    expect(run.runner.maxInFlight).toBeLessThanOrEqual(3)
    expect(run.runner.maxInFlight).toBeGreaterThan(1)
    const migrations = run.of('island-migration')
    expect(migrations.length).toBeGreaterThanOrEqual(4)
    expect(migrations.slice(0, 2).map((event) => [event.fromIsland, event.toIsland])).toEqual([
      [0, 1],
      [1, 0],
    ])
    const byId = new Map(candidates.map((candidate) => [candidate.id, candidate]))
    for (const child of candidates.filter((candidate) => candidate.origin === 'evolve')) {
      const parent = byId.get(child.parentId!)!
      const migratedIn = migrations.some((event) => event.toIsland === child.island && event.candidateIds.includes(parent.id))
      expect(parent.island === child.island || migratedIn, `${child.id} bred from ${parent.id}`).toBe(true)
    }
  })
})

describe('adaptive workflow', () => {
  it('seeds the pool, then breeds parents chosen by UCB, within the runner capacity', async () => {
    let call = 0
    const run = await runFixture({
      spec: { workflow: 'adaptive', budget: { candidates: 10, steps: 100 }, search: { concurrency: 4, ucbC: 0.5 } },
      slots: 2,
      code: () => kernelAnswer(call++ === 0 ? 'passed 1.0' : `passed ${(0.9 - call * 0.05).toFixed(2)}`),
    })
    const candidates = run.of('candidate-end').map((event) => event.candidate)
    expect(candidates.length).toBeGreaterThanOrEqual(10)
    // One candidate verifying and one waiting (its build running ahead) per slot, never more.
    expect(run.runner.maxInFlight).toBeGreaterThan(2)
    expect(run.runner.maxInFlight).toBeLessThanOrEqual(4)
    expect(candidates.filter((candidate) => candidate.origin === 'optimize').length).toBeGreaterThan(5)
    expect(new Set(candidates.map((candidate) => candidate.parentId).filter(Boolean)).size).toBeGreaterThan(1)
    expect(run.summary.best!.medianMs).toBeLessThan(1)
  })
})

describe('resume and fork', () => {
  it('resumes a run killed mid-step from its log: the step in flight is closed, the rest continues', async () => {
    const full = await runFixture({ code: [kernelAnswer('compile_error'), kernelAnswer('incorrect'), kernelAnswer('passed')] })
    const killAt = full.store.events.findIndex((event) => event.type === 'verify-start' && event.candidateId === 'c0002')
    const store = new MemoryRunStore()
    const prior = full.store.events.slice(0, killAt + 1)
    for (const event of prior) await store.append(event)
    for (const [path, content] of full.store.artifacts) if (!path.startsWith('candidates/c0003')) store.artifacts.set(path, content)
    const resumed = await runFixture({
      store,
      priorEvents: prior,
      code: [kernelAnswer('passed 0.4')],
      clock: new ManualClock(Date.parse('2026-11-21T10:00:00Z')),
    })
    const after = store.events.slice(prior.length)
    expect(after[0]).toMatchObject({ type: 'run-start', resumed: true, seq: prior.length })
    expect(after[1]).toMatchObject({ type: 'candidate-end', candidate: { id: 'c0002', status: 'cancelled' } })
    expect(store.events.map((event) => event.seq)).toEqual(store.events.map((_, index) => index))
    expect(resumed.summary).toMatchObject({ status: 'completed', best: { candidateId: 'c0003', medianMs: 0.4 } })
    // c0002 was lost mid-verification: the step is redone from c0001's recorded decision, which is not logged twice.
    expect(
      resumed
        .of('conductor-decision')
        .filter((event) => event.candidateId === 'c0001')
        .map((event) => event.action),
    ).toEqual(['fix'])
    expect(resumed.of('candidate-start').at(-1)!.candidate).toMatchObject({ id: 'c0003', parentId: 'c0001', origin: 'fix' })
  })

  it('forks from a candidate: its code is re-verified as the first candidate of the new run', async () => {
    const run = await runFixture({ fork: true, forkCode: kernelAnswer('passed 0.7').split('```python\n')[1]!.split('```')[0]!, code: [] })
    expect(run.of('candidate-end')[0]!.candidate).toMatchObject({ id: 'c0001', origin: 'fork', status: 'passed' })
    expect(run.model.requests).toHaveLength(0)
    expect(run.summary).toMatchObject({ status: 'completed', fork: { runId: 'r-parent', candidateId: 'c0001' } })
  })
})

describe('migrate workflow', () => {
  const source = '# triton source\nimport triton\n# fake-verdict: passed 0.9\n'

  it('evaluates the source, ports it without a Designer, and compares the target with the source outputs', async () => {
    const run = await runFixture({
      spec: { workflow: 'migrate', migrate: { sourcePath: '/k/relu_triton.py', sourceDsl: 'triton' } },
      sourceCode: source,
      code: [kernelAnswer('passed 0.5')],
    })
    expect(run.model.requests.map((request) => request.role)).toEqual(['coder'])
    expect(run.model.requests[0]!.messages.at(-1)!.content).toContain('# triton source')
    expect(run.runner.requests.map((request) => [request.dsl, request.taskPath.endsWith('source-reference.py')])).toEqual([
      ['triton', false],
      ['cpp', false],
      ['cpp', true],
    ])
    expect(run.store.artifacts.get('source-reference.py')).toContain('class Model(_source.ModelNew)')
    expect(run.of('source-check-end')).toMatchObject([{ candidateId: 'c0002', sourceCandidateId: 'c0001', status: 'passed' }])
    expect(run.summary).toMatchObject({ status: 'completed', candidates: 1, best: { candidateId: 'c0002' } })
  })

  it('reports the source comparison skipped, never passed, when the source cannot run here', async () => {
    const broken = source.replace('passed 0.9', 'runtime_error')
    const run = await runFixture({
      spec: { workflow: 'migrate', migrate: { sourcePath: '/k/relu_triton.py', sourceDsl: 'triton' } },
      sourceCode: broken,
      code: [kernelAnswer('passed 0.5')],
    })
    const check = run.of('source-check-end')[0]!
    expect(check.status).toBe('skipped')
    expect(check.detail).toContain('did not run correctly')
    expect(run.summary.status).toBe('completed')
  })
})

describe('streamed text', () => {
  it('coalesces deltas: one event per ~50 ms of streaming', async () => {
    const run = await runFixture({ code: [kernelAnswer('passed')] })
    // The manual clock does not move while the model streams, so each answer is one coalesced delta.
    expect(run.of('design-delta')).toHaveLength(1)
    expect(run.of('code-delta')).toHaveLength(1)
    expect(run.of('code-delta')[0]!.text).toContain('class ModelNew')
  })
})
