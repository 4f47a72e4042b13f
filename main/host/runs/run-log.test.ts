import { spawn } from 'node:child_process'
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FakeRunner } from '../../../agents/testing/fake-runner.ts'
import { judge, kernelAnswer } from '../../../agents/testing/run-fixture.ts'
import { ScriptedModel } from '../../../agents/testing/scripted-model.ts'
import { temporaryHost } from '../../../test/helpers/temp-host.ts'
import { RunManager } from './run-manager.ts'
import { processStartTicks } from './run-lock.ts'

const relu = join(import.meta.dirname, '..', '..', '..', 'resources', 'tasks', 'level1', '19_ReLU.py')
let cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const dispose of cleanup.reverse()) await dispose()
  cleanup = []
})

function setup(options: { coderDelayMs?: number } = {}) {
  const context = temporaryHost()
  cleanup.push(context.dispose)
  const model = new ScriptedModel((request) => (request.role === 'designer' ? 'Plan: flat loop.' : kernelAnswer('incorrect')))
  const runner = new FakeRunner(judge, (path) => readFileSync(path, 'utf8'), 2)
  const slow = options.coderDelayMs
    ? {
        provider: 'slow',
        stream: async function* (request: Parameters<ScriptedModel['stream']>[0], signal?: AbortSignal) {
          await new Promise((resolve) => setTimeout(resolve, options.coderDelayMs))
          yield* model.stream(request, signal)
        },
      }
    : model
  const manager = new RunManager(context.host, { dependencies: async () => ({ model: () => ({ client: slow as ScriptedModel, model: 'scripted' }), runner }) })
  return { ...context, manager, model }
}

/** A finished run of three failing candidates, and the path of its log. */
async function finishedRun(manager: RunManager, dataDir: string) {
  const run = await manager.wait((await manager.start({ taskPath: relu, dsl: 'cpp', budget: { candidates: 3 } })).id)
  return { id: run.id, folder: join(dataDir, 'runs', run.id), log: join(dataDir, 'runs', run.id, 'events.jsonl') }
}

/** Cuts a finished run's log back to an interrupted one (no run-end), as a killed process leaves it. */
function interrupt(log: string): string[] {
  const lines = readFileSync(log, 'utf8').trim().split('\n')
  const kept = lines.slice(
    0,
    lines.findIndex((line) => line.includes('"type":"run-end"')),
  )
  writeFileSync(log, `${kept.join('\n')}\n`)
  return kept
}

describe('a damaged run log', () => {
  it.each([
    ['a line cut in the middle of the log', (line: string) => line.slice(0, 25), /Line 6 of .*events\.jsonl is not a run event: it is not JSON/],
    ['a JSON line that is not an event', () => '{"hello":"world"}', /Line 6 .*its type null is not a run event type/],
    ['an event of another run', (line: string) => line.replace(/"runId":"[^"]+"/, '"runId":"r-other"'), /Line 6 .*belongs to run "r-other"/],
    ['a duplicated event', (line: string, lines: string[]) => lines[4]!, /Line 6 .*seq is 4 where 5 comes next/],
    ['JSON null', () => 'null', /Line 6 .*it is null, not an event object/],
  ])('%s: every reader names the line, resume refuses, and no byte of the log changes', async (_name, damage, message) => {
    const { manager, dataDir } = setup()
    const run = await finishedRun(manager, dataDir)
    const lines = interrupt(run.log)
    lines[5] = damage(lines[5]!, lines)
    writeFileSync(run.log, `${lines.join('\n')}\n`)
    const before = readFileSync(run.log)
    await expect(manager.get(run.id)).rejects.toMatchObject({ code: 'RUN_LOG_CORRUPT', message: expect.stringMatching(message) })
    await expect(manager.events(run.id, 0, 100)).rejects.toMatchObject({ code: 'RUN_LOG_CORRUPT' })
    await expect(manager.resume(run.id)).rejects.toMatchObject({
      code: 'RUN_LOG_CORRUPT',
      message: expect.stringMatching(/lines after it are kept; the log was left as it was/),
    })
    expect(await manager.unreadable()).toEqual([expect.objectContaining({ id: run.id, reason: expect.stringMatching(message) })])
    expect(await manager.list()).toEqual([])
    expect(readFileSync(run.log).equals(before)).toBe(true)
  })

  it('a complete but corrupt last line is not taken for a torn one', async () => {
    const { manager, dataDir } = setup()
    const run = await finishedRun(manager, dataDir)
    const lines = interrupt(run.log)
    writeFileSync(run.log, `${lines.join('\n')}\n{"type":"verify-e\n`)
    const before = readFileSync(run.log)
    await expect(manager.resume(run.id)).rejects.toMatchObject({ code: 'RUN_LOG_CORRUPT', message: expect.stringContaining(`Line ${lines.length + 1}`) })
    expect(readFileSync(run.log).equals(before)).toBe(true)
  })

  it('an empty log lists the run as unreadable with its reason and deletes nothing', async () => {
    const { manager, dataDir } = setup()
    const run = await finishedRun(manager, dataDir)
    writeFileSync(run.log, '')
    const files = readdirSync(run.folder).sort()
    expect(await manager.unreadable()).toEqual([expect.objectContaining({ id: run.id, reason: expect.stringContaining('holds no events') })])
    await expect(manager.resume(run.id)).rejects.toMatchObject({ code: 'RUN_UNREADABLE' })
    expect(readdirSync(run.folder).sort()).toEqual(files)
  })

  it('a missing or malformed spec.json falls back to the spec in the log; with no log it says why', async () => {
    const { manager, dataDir } = setup()
    const run = await finishedRun(manager, dataDir)
    rmSync(join(run.folder, 'spec.json'))
    expect((await manager.get(run.id)).spec.taskPath).toBe(relu)
    writeFileSync(join(run.folder, 'spec.json'), '{"title": 3')
    expect((await manager.list()).map((summary) => summary.id)).toEqual([run.id])
    writeFileSync(run.log, '')
    expect(await manager.unreadable()).toEqual([
      expect.objectContaining({ id: run.id, reason: expect.stringMatching(/spec\.json cannot be read .*no run-start/) }),
    ])
  })
})

describe('one writer per run', () => {
  it('refuses the second of two concurrent resumes and keeps the log whole', async () => {
    const { manager, dataDir } = setup({ coderDelayMs: 50 })
    const run = await finishedRun(manager, dataDir)
    interrupt(run.log)
    const outcomes = await Promise.allSettled([manager.resume(run.id), manager.resume(run.id)])
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
    expect(outcomes.find((outcome) => outcome.status === 'rejected')).toMatchObject({ reason: { code: 'RUN_ACTIVE' } })
    await manager.wait(run.id)
    const events = readFileSync(run.log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; type: string })
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index))
    expect(events.filter((event) => event.type === 'run-end')).toHaveLength(1)
  })

  it('shows a run locked by another live process as running elsewhere and refuses to resume or cancel it; a stale lock is taken over', async () => {
    const { manager, dataDir } = setup()
    const run = await finishedRun(manager, dataDir)
    interrupt(run.log)
    const other = spawn('sleep', ['30'])
    cleanup.push(() => void other.kill())
    await new Promise((resolve) => other.once('spawn', resolve))
    const lock = { pid: other.pid, hostname: hostname(), since: '2026-11-30T10:00:00.000Z', program: 'cli', startTicks: processStartTicks(other.pid!) }
    writeFileSync(join(run.folder, 'run.lock'), JSON.stringify(lock))
    expect((await manager.list())[0]).toMatchObject({ status: 'running-elsewhere', owner: { pid: other.pid, program: 'cli' } })
    await expect(manager.resume(run.id)).rejects.toMatchObject({ code: 'RUN_ACTIVE', message: expect.stringContaining(`process ${other.pid} (cli)`) })
    await expect(manager.cancel(run.id)).rejects.toMatchObject({ code: 'RUN_ELSEWHERE' })
    // The same pid with another start time is a reused pid: the lock is stale.
    writeFileSync(join(run.folder, 'run.lock'), JSON.stringify({ ...lock, startTicks: '1' }))
    expect((await manager.list())[0]).toMatchObject({ status: 'interrupted', owner: null })
    other.kill()
    await new Promise((resolve) => other.once('exit', resolve))
    writeFileSync(join(run.folder, 'run.lock'), JSON.stringify(lock))
    expect((await manager.list())[0]!.status).toBe('interrupted')
    await manager.resume(run.id)
    expect((await manager.wait(run.id)).status).not.toBe('interrupted')
  })
})

describe('stopping the studio', () => {
  it('leaves an in-flight run interrupted and resumable, not cancelled', async () => {
    const { manager, dataDir } = setup({ coderDelayMs: 200 })
    const started = await manager.start({ taskPath: relu, dsl: 'cpp', budget: { candidates: 3 } })
    await new Promise((resolve) => setTimeout(resolve, 100))
    await manager.stop()
    const summary = await manager.summary(started.id)
    expect(summary.status).toBe('interrupted')
    const log = readFileSync(join(dataDir, 'runs', started.id, 'events.jsonl'), 'utf8')
    expect(log).toContain('RUN_INTERRUPTED')
    expect(log).not.toContain('"type":"run-end"')
    await manager.resume(started.id)
    expect((await manager.wait(started.id)).status).toBe('stopped')
  })
})
