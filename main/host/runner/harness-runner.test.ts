import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Verdict } from '../../../agents/ports/index.ts'
import { ProcessManager } from '../process/process-manager.ts'
import { planSlots } from './devices.ts'
import { HarnessRunner } from './harness-runner.ts'
import { LocalWorkerHost } from './local-host.ts'
import { openLocalChannel } from './worker-channel.ts'
import type { WorkerHost } from './worker-host.ts'

const fakeHarness = join(import.meta.dirname, 'fixtures', 'fake-harness')

/** Every process whose command line mentions the marker, from the real process table. */
const processesMentioning = (marker: string) =>
  execFileSync('ps', ['-eo', 'pid,pgid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(marker) && !line.includes('ps -eo'))

describe('HarnessRunner with warm workers', () => {
  let folder: string
  let processes: ProcessManager
  let runner: HarnessRunner

  const candidate = (name: string, body: string) => {
    const path = join(folder, `${name}.py`)
    writeFileSync(path, body)
    return path
  }

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'akg-runner-'))
    processes = new ProcessManager()
    const local = new LocalWorkerHost({ processes, python: async () => 'python3', harnessDir: fakeHarness, cpuSlots: async () => 2 })
    const host: WorkerHost = {
      name: 'local',
      kind: 'local',
      discover: async () => planSlots('local', { cuda: 0, npu: 0, cpuCores: 4 }, 2),
      connect: async (slot) => openLocalChannel(processes, { label: slot.key, python: 'python3', harnessDir: fakeHarness, env: slot.env }),
      stageFiles: async (_worker, paths) => paths,
      precompile: (path, dsl, params) => local.precompile(path, dsl, params),
    }
    runner = new HarnessRunner({ hosts: [host], outerMarginMs: 500 })
  })

  afterEach(async () => {
    await runner.stop()
    await processes.shutdown(500)
    rmSync(folder, { recursive: true, force: true })
  })

  // The fake harness builds nothing: a second of build time is plenty on top of the run timeout.
  const evaluate = (path: string, extra: { priority?: number; timeoutSeconds?: number } = {}) =>
    runner.evaluate({
      taskPath: join(folder, 'task.py'),
      candidatePath: path,
      dsl: 'triton',
      device: 'cpu',
      timeoutSeconds: 5,
      buildTimeoutSeconds: 1,
      ...extra,
    })

  it('runs candidates on as many workers as there are slots, each pinned to its share of cores', async () => {
    const verdicts = await Promise.all([evaluate(candidate('a', 'PASS')), evaluate(candidate('b', 'PASS')), evaluate(candidate('c', 'PASS'))])
    expect(verdicts.map((verdict) => verdict.status)).toEqual(['passed', 'passed', 'passed'])
    const pids = new Set(verdicts.map((verdict) => (verdict.environment as { pid: number }).pid))
    expect(pids.size).toBe(2)
    expect(verdicts[0].environment).toMatchObject({ omp_num_threads: '2', cuda_visible_devices: '' })
    expect(runner.capacity()).toBe(2)
    expect(runner.status().evaluations.passed).toBe(3)
  })

  it('starts workers with the allow-listed environment: no provider keys, no session token', async () => {
    const saved = { ...process.env }
    Object.assign(process.env, { OPENAI_API_KEY: 'sk-studio', ANTHROPIC_API_KEY: 'sk-ant', AKG_TOKEN: 'session', TORCH_CUDA_ARCH_LIST: '9.0a' })
    try {
      const verdict = await evaluate(candidate('env', 'PASS'))
      const names = (verdict.environment as { names: string[] }).names
      expect(names).toContain('TORCH_CUDA_ARCH_LIST')
      expect(names.filter((name) => /KEY|TOKEN/.test(name))).toEqual([])
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
    }
  })

  it('kills a hung kernel at its timeout, answers `timeout`, restarts the worker and goes on', async () => {
    const hung = candidate('hung', 'HANG')
    // Workers warm first: the bound below is on the evaluation, not on starting Python on a loaded machine.
    await runner.warm('local')
    const started = Date.now()
    const verdict = await evaluate(hung, { timeoutSeconds: 1 })
    expect(verdict.status).toBe('timeout')
    expect(verdict.error?.message).toContain('killed and restarted')
    expect(Date.now() - started).toBeLessThan(10_000)
    // The helper the hung worker started in its own session died with it.
    await expect.poll(() => processesMentioning('sleep 1000').length, { timeout: 30_000 }).toBe(0)
    const next = await Promise.all([evaluate(candidate('after-1', 'PASS')), evaluate(candidate('after-2', 'PASS'))])
    expect(next.map((item) => item.status)).toEqual(['passed', 'passed'])
    expect(runner.status().workers.some((worker) => worker.restarts >= 1)).toBe(true)
  })

  it('brings a crashed worker back and drains the queue behind it', async () => {
    const results = await Promise.all([evaluate(candidate('crash', 'CRASH')), ...['q1', 'q2', 'q3', 'q4'].map((name) => evaluate(candidate(name, 'SLEEP0.2')))])
    const crash = results[0] as Verdict
    expect(crash.status).toBe('runtime_error')
    expect(crash.error?.message).toMatch(/SIGSEGV/)
    expect(crash.error?.message).toContain('Segmentation fault')
    expect(results.slice(1).map((item) => item.status)).toEqual(['passed', 'passed', 'passed', 'passed'])
    expect(runner.status().queue).toHaveLength(0)
    expect(runner.status().evaluations.crashed).toBe(1)
  })

  it('replaces the worker after a device fault so the next candidate gets a clean context', async () => {
    const fault = await evaluate(candidate('fault', 'FAULT'))
    expect(fault.status).toBe('runtime_error')
    const faultyPid = (fault.environment as { pid: number }).pid
    await expect.poll(() => runner.status().workers.some((worker) => worker.pid === faultyPid), { timeout: 10_000 }).toBe(false)
    const next = await Promise.all([evaluate(candidate('next-1', 'PASS')), evaluate(candidate('next-2', 'PASS'))])
    expect(next.map((verdict) => (verdict.environment as { pid: number }).pid)).not.toContain(faultyPid)
    expect(runner.status().workers.some((worker) => worker.restarts >= 1)).toBe(true)
  })

  it('serves higher priority first when slots are scarce', async () => {
    const starts: Array<[string, number]> = []
    const track = (name: string, priority: number, seconds = 0.3) =>
      evaluate(candidate(name, `SLEEP${seconds}`), { priority, timeoutSeconds: seconds + 10 }).then((verdict) =>
        starts.push([name, (verdict as Verdict & { started: number }).started]),
      )
    // Two slots: the first two start at once and the rest wait. The second slot stays busy
    // long after the first frees, so the waiting three run one after another on the first
    // slot, in the order the runner dispatched them (no two of them start together, which
    // a loaded machine could reorder).
    await Promise.all([track('first', 0), track('second', 0, 6), track('low', 0), track('high', 5), track('middle', 2)])
    const order = starts.sort((a, b) => a[1] - b[1]).map(([name]) => name)
    expect(order.filter((name) => name !== 'second').slice(1)).toEqual(['high', 'middle', 'low'])
  })

  it('refuses a device no worker has with an error that lists what there is', async () => {
    await expect(runner.evaluate({ taskPath: 't', candidatePath: 'c', dsl: 'triton', device: 'cuda:3' })).rejects.toMatchObject({
      code: 'RUNNER_NO_DEVICE',
      message: expect.stringContaining('local:cpu#0'),
    })
  })

  it('leaves no process behind after shutdown', async () => {
    const marker = folder
    const hung = evaluate(candidate('hung-at-exit', 'HANG'), { timeoutSeconds: 60 })
    await expect.poll(() => processesMentioning('sleep 1000').length, { timeout: 30_000 }).toBeGreaterThan(0)
    await runner.stop()
    await processes.shutdown(500)
    await expect(hung).rejects.toMatchObject({ code: 'RUNNER_STOPPED' })
    // Every process has been signalled by now, but a helper outside our children is not waited for:
    // the kernel lists it until it is scheduled to exit, which a loaded machine can delay.
    await expect.poll(() => processesMentioning('sleep 1000'), { timeout: 10_000 }).toEqual([])
    await expect.poll(() => processesMentioning(fakeHarness), { timeout: 10_000 }).toEqual([])
    await expect.poll(() => processesMentioning(marker), { timeout: 10_000 }).toEqual([])
  })

  it('builds a compiled candidate on the CPU while it waits for a busy worker', async () => {
    const busy = [evaluate(candidate('busy-1', 'SLEEP1')), evaluate(candidate('busy-2', 'SLEEP1'))]
    const waiting = runner.evaluate({
      taskPath: join(folder, 'task.py'),
      candidatePath: candidate('cpp-waiting', 'PASS'),
      dsl: 'cpp',
      device: 'cpu',
      timeoutSeconds: 5,
    })
    const started = runner.evaluate({
      taskPath: join(folder, 'task.py'),
      candidatePath: candidate('triton-waiting', 'PASS'),
      dsl: 'triton',
      device: 'cpu',
      timeoutSeconds: 5,
    })
    await Promise.all(busy)
    await expect(waiting).resolves.toMatchObject({ status: 'passed', prebuilt: true })
    // Triton compiles at launch: nothing to build ahead.
    await expect(started).resolves.toMatchObject({ status: 'passed', prebuilt: false })
  })
})
