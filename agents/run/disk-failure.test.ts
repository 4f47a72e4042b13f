import { describe, expect, it } from 'vitest'
import { resolveRunSpec, runSpecInput } from '../contract/runs.ts'
import type { RunDependencies } from './context.ts'
import { executeRun, RunStoreFailure } from './engine.ts'
import { foldEvents, summarize } from './state.ts'
import { MemoryRunStore } from '../testing/memory-store.ts'
import { FakeRunner, ManualClock } from '../testing/fake-runner.ts'
import { judge, kernelAnswer, taskSource } from '../testing/run-fixture.ts'
import { ScriptedModel } from '../testing/scripted-model.ts'

/** A store on a disk that fills up: the nth artifact write and every write after it fail with `code`. */
class FillingStore extends MemoryRunStore {
  private writes = 0
  full = false
  constructor(
    private readonly failAt: number,
    private readonly code: string,
  ) {
    super()
  }
  override async writeArtifact(path: string, content: string): Promise<void> {
    this.writes += 1
    if (this.writes >= this.failAt) this.full = true
    if (this.full) throw Object.assign(new Error(`${this.code}: write failed, open '${path}'`), { code: this.code, path })
    return super.writeArtifact(path, content)
  }
  override async append(...args: Parameters<MemoryRunStore['append']>): Promise<void> {
    if (this.full) throw Object.assign(new Error(`${this.code}: write failed`), { code: this.code })
    return super.append(...args)
  }
}

async function runOnFillingDisk(failAt: number, code: string) {
  const store = new FillingStore(failAt, code)
  const model = new ScriptedModel((request) => (request.role === 'designer' ? 'Plan: a loop.' : kernelAnswer('incorrect')), 100)
  const runner = new FakeRunner(judge, (path) => store.artifacts.get(path.replace('/memory/run/', '')) ?? '', 2)
  const live: string[] = []
  const deps: RunDependencies = {
    model: () => ({ client: model, model: 'scripted' }),
    runner,
    clock: new ManualClock(),
    store,
    onEvent: (event) => void (event.type === 'run-error' && live.push(event.message)),
  }
  const spec = resolveRunSpec(runSpecInput.parse({ taskPath: '/tasks/relu.py', dsl: 'cpp', budget: { candidates: 10, steps: 20 } }), null)
  const outcome = await executeRun({ runId: 'r-disk', spec, deps, taskSource, signal: new AbortController().signal }).then(
    () => null,
    (error: unknown) => error,
  )
  return { outcome, store, model, live }
}

describe('a disk that fills up mid-run', () => {
  it.each(['ENOSPC', 'EDQUOT', 'EROFS'])('stops the run at the first failed write (%s), calls no model after it and leaves it resumable', async (code) => {
    // c0001 writes its design prompt, plan, prompt, answer, code and result; the 7th write is c0002's fix prompt.
    const { outcome, store, model, live } = await runOnFillingDisk(7, code)
    expect(outcome).toBeInstanceOf(RunStoreFailure)
    expect((outcome as Error).message).toMatch(/akg resume r-disk/)
    expect(live.at(-1)).toContain(code)
    // One candidate's designer and coder calls; nothing after the failed write.
    expect(model.requests.map((request) => request.role)).toEqual(['designer', 'coder'])
    expect(store.events.some((event) => event.type === 'run-end')).toBe(false)
    expect(summarize(foldEvents('r-disk', store.events), false).status).toBe('interrupted')
  })

  it('stops before the first model call when the very first write fails', async () => {
    const { outcome, model } = await runOnFillingDisk(1, 'ENOSPC')
    expect(outcome).toBeInstanceOf(RunStoreFailure)
    expect(model.requests).toHaveLength(0)
  })
})
