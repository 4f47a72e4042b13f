import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunEvent } from '../../../agents/contract/index.ts'
import { FakeRunner } from '../../../agents/testing/fake-runner.ts'
import { judge, kernelAnswer } from '../../../agents/testing/run-fixture.ts'
import { ScriptedModel } from '../../../agents/testing/scripted-model.ts'
import { temporaryHost } from '../../../test/helpers/temp-host.ts'
import { dispatch } from '../dispatch.ts'
import { RunManager } from './run-manager.ts'

const relu = join(import.meta.dirname, '..', '..', '..', 'resources', 'tasks', 'level1', '19_ReLU.py')
let cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const dispose of cleanup) await dispose()
  cleanup = []
})

/** A host whose runs use a scripted model and the fake runner, with real run folders on disk. */
function setup(answers: (index: number) => string) {
  const context = temporaryHost()
  cleanup.push(context.dispose)
  let coder = 0
  const model = new ScriptedModel((request) => (request.role === 'designer' ? 'Plan: flat loop.' : answers(coder++)))
  const runner = new FakeRunner(judge, (path) => readFileSync(path, 'utf8'), 2)
  const manager = new RunManager(context.host, { dependencies: async () => ({ model: () => ({ client: model, model: 'scripted' }), runner }) })
  return { ...context, manager, model }
}

const logOf = (dataDir: string, runId: string): RunEvent[] =>
  readFileSync(join(dataDir, 'runs', runId, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as RunEvent)

describe('runs on disk', () => {
  it('writes spec, log and artifacts, and answers get, events paging and candidate from disk', async () => {
    const { manager, dataDir } = setup((index) => kernelAnswer(index === 0 ? 'compile_error' : 'passed 0.5'))
    const started = await manager.start({ taskPath: relu, dsl: 'cpp' })
    const summary = await manager.wait(started.id)
    expect(summary).toMatchObject({ status: 'completed', candidates: 2, best: { candidateId: 'c0002', medianMs: 0.5 } })
    const log = logOf(dataDir, started.id)
    expect(log[0]).toMatchObject({ type: 'run-start', seq: 0 })
    const page = await manager.events(started.id, 3, 5)
    expect(page.events.map((event) => event.seq)).toEqual([3, 4, 5, 6, 7])
    expect(page).toMatchObject({ nextSeq: 8, more: true, live: false })
    const detail = await manager.candidate(started.id, 'c0002')
    expect(detail.code).toContain('# fake-verdict: passed 0.5')
    expect(detail.parentCode).toContain('# fake-verdict: compile_error')
    expect(detail.verdict).toMatchObject({ status: 'passed' })
    expect((await manager.list()).map((run) => run.id)).toEqual([started.id])
  })

  it('shows the verdict the log recorded, not a result.json rewritten after it', async () => {
    const { manager, dataDir } = setup(() => kernelAnswer('incorrect'))
    const finished = await manager.wait((await manager.start({ taskPath: relu, dsl: 'cpp', budget: { candidates: 1 } })).id)
    const forged = { schema_version: 2, status: 'passed', correct: true, checks: [], error: null, flags: [], timing: null }
    writeFileSync(join(dataDir, 'runs', finished.id, 'candidates', 'c0001', 'result.json'), JSON.stringify(forged))
    const detail = await manager.candidate(finished.id, 'c0001')
    expect(detail.verdict).toMatchObject({ status: 'incorrect', correct: false })
    expect((await manager.get(finished.id)).candidates[0]).toMatchObject({ id: 'c0001', status: 'incorrect' })
  })

  it('resumes a run killed mid-step: a torn last line is dropped and the lost step redone', async () => {
    const { manager, dataDir } = setup((index) => kernelAnswer(['compile_error', 'incorrect', 'passed 0.4'][index] ?? 'passed'))
    const finished = await manager.wait((await manager.start({ taskPath: relu, dsl: 'cpp' })).id)
    const log = logOf(dataDir, finished.id)
    const killAt = log.findIndex((event) => event.type === 'verify-start' && event.candidateId === 'c0002')
    // A copy of the run as a crash would leave it: the log up to the kill, then half a line.
    const killed = 'r-killed'
    cpSync(join(dataDir, 'runs', finished.id), join(dataDir, 'runs', killed), { recursive: true })
    const lines = log.slice(0, killAt + 1).map((event) => JSON.stringify({ ...event, runId: killed }))
    writeFileSync(join(dataDir, 'runs', killed, 'events.jsonl'), `${lines.join('\n')}\n{"type":"verify-e`)
    expect((await manager.summary(killed)).status).toBe('interrupted')
    await manager.resume(killed)
    const resumed = await manager.wait(killed)
    expect(resumed.status).toBe('completed')
    const after = logOf(dataDir, killed)
    expect(after.map((event) => event.seq)).toEqual(after.map((_, index) => index))
    expect(after[killAt + 1]).toMatchObject({ type: 'run-start', resumed: true })
    expect(after[killAt + 2]).toMatchObject({ type: 'candidate-end', candidate: { id: 'c0002', status: 'cancelled' } })
    await expect(manager.resume(killed)).rejects.toThrow(/fork one of its candidates/)
  })

  it('forks from a candidate into a new run that starts by re-verifying its code', async () => {
    const { manager } = setup(() => kernelAnswer('passed 0.8'))
    const parent = await manager.wait((await manager.start({ taskPath: relu, dsl: 'cpp' })).id)
    const fork = await manager.wait((await manager.fork({ runId: parent.id, candidateId: 'c0001', workflow: 'optimize', budget: { candidates: 2 } })).id)
    expect(fork).toMatchObject({ fork: { runId: parent.id, candidateId: 'c0001' }, workflow: 'optimize', candidates: 2 })
    const first = (await manager.get(fork.id)).candidates[0]!
    expect(first).toMatchObject({ origin: 'fork', status: 'passed' })
  })

  it('answers a clear error for a missing task, run or candidate through the routes', async () => {
    const { host, handlers } = setup(() => kernelAnswer('passed'))
    void host
    const missing = await dispatch(handlers, 'runs.start', { taskPath: '/nonexistent/task.py', dsl: 'cpp' }, { transport: 'cli' })
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    const noRun = await dispatch(handlers, 'runs.get', { runId: 'r-nope' }, { transport: 'cli' })
    expect(noRun).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringContaining('akg runs') } })
    const badMigrate = await dispatch(handlers, 'runs.start', { taskPath: relu, dsl: 'cpp', workflow: 'migrate' }, { transport: 'cli' })
    expect(badMigrate).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    const notTask = join(mkdtempSync(join(tmpdir(), 'akg-not-task-')), 'no_inputs.py')
    writeFileSync(notTask, 'import torch\nclass Model(torch.nn.Module):\n    def forward(self, x):\n        return x\n')
    const malformed = await dispatch(handlers, 'runs.start', { taskPath: notTask, dsl: 'cpp' }, { transport: 'cli' })
    expect(malformed).toMatchObject({ ok: false, error: { code: 'TASK_INVALID', message: expect.stringContaining('get_inputs') } })
    expect(((await dispatch(handlers, 'runs.list', {}, { transport: 'cli' })) as { data: unknown[] }).data).toHaveLength(0)
  })
})

describe('replay on resume', () => {
  it('skips the replayed calls of finished candidates and replays the lost step again', async () => {
    const { replayedCalls } = await import('./run-models.ts')
    const { runFixture } = await import('../../../agents/testing/run-fixture.ts')
    const full = await runFixture({ code: [kernelAnswer('compile_error'), kernelAnswer('incorrect'), kernelAnswer('passed')] })
    const killAt = full.store.events.findIndex((event) => event.type === 'verify-start' && event.candidateId === 'c0002')
    // c0001 (designer + coder) finished; c0002's fixer call was made but its step is lost.
    expect(Object.fromEntries(replayedCalls(full.store.events.slice(0, killAt + 1)))).toEqual({ designer: 1, coder: 1 })
    expect(Object.fromEntries(replayedCalls(full.store.events))).toEqual({ designer: 1, coder: 1, fixer: 2 })
  })
})
