import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Verdict } from '../../../agents/ports/index.ts'
import { ProcessManager } from '../process/process-manager.ts'
import { HarnessRunner } from '../runner/harness-runner.ts'
import { harnessEnvironment } from '../runner/harness-environment.ts'
import { RayWorkerHost } from './ray-host.ts'

const root = join(import.meta.dirname, '..', '..', '..')
const python = join(root, '.venv', 'bin', 'python')
const harness = join(root, 'resources', 'harness')
const fixtures = join(harness, 'tests', 'fixtures')
const ray = join(root, '.venv', 'bin', 'ray')

/** Ray would otherwise swap 127.0.0.1 for the machine's interface address: keep the cluster on loopback. */
const loopback = { RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER: '0', RAY_USAGE_STATS_ENABLED: '0' }

describe('a Ray cluster as a runner host (local head on 127.0.0.1, CPU workers)', () => {
  // Ray's socket paths must stay short: a folder directly under /tmp.
  const temp = mkdtempSync('/tmp/akgray')
  // The actors inherit the head's environment: their build cache stays in the test's folder.
  const env = { ...process.env, ...loopback, AKG_CACHE_DIR: join(temp, 'cache') }
  let address = ''
  let processes: ProcessManager
  let host: RayWorkerHost
  let runner: HarnessRunner

  beforeAll(() => {
    const started = spawnSync(
      ray,
      [
        'start',
        '--head',
        '--node-ip-address=127.0.0.1',
        '--port=0',
        '--num-cpus=3',
        '--include-dashboard=false',
        '--disable-usage-stats',
        `--temp-dir=${temp}`,
      ],
      { env, encoding: 'utf8', timeout: 180_000 },
    )
    expect(started.status, started.stderr).toBe(0)
    address = readFileSync(join(temp, 'ray_current_cluster'), 'utf8').trim()
    processes = new ProcessManager()
    host = new RayWorkerHost({
      processes,
      python: async () => python,
      harnessDir: harness,
      settings: { address, cpuSlotsPerNode: 2 },
      env: async () => ({ ...harnessEnvironment(harness), ...loopback, AKG_CACHE_DIR: join(temp, 'cache') }),
    })
    runner = new HarnessRunner({ hosts: [host] })
  }, 240_000)

  afterAll(async () => {
    await runner?.stop()
    await processes?.shutdown(1_000)
    spawnSync(ray, ['stop', '--force'], { env, timeout: 120_000 })
    rmSync(temp, { recursive: true, force: true })
  }, 180_000)

  const evaluate = (task: string, candidate: string): Promise<Verdict> =>
    runner.evaluate({
      taskPath: join(fixtures, 'tasks', `${task}.py`),
      candidatePath: candidate,
      // NumPy candidates: no build, so the test's time is the cluster's, not the compiler's.
      dsl: 'numpy',
      device: 'ray:cpu',
      timingTrials: 5,
      correctnessTrials: 2,
      baselines: ['eager'],
    })

  it('spreads a batch over the cluster slots; a worker killed mid-evaluation is retried and counted once', async () => {
    const slow = evaluate('vector_add', join(fixtures, 'candidates', 'cluster', 'add_slow_import_numpy.py'))
    const others = [
      evaluate('vector_add', join(fixtures, 'candidates', 'numpy', 'add_correct.py')),
      evaluate('row_mean', join(fixtures, 'candidates', 'numpy', 'add_correct.py')),
    ]
    // Find the slot evaluating the slow candidate and kill its actor's process.
    let killed = false
    for (let wait = 0; wait < 600 && !killed; wait++) {
      const busy = runner
        .status()
        .workers.find((worker) => worker.candidate?.endsWith('add_slow_import_numpy.py') && worker.stage && ['load', 'compile'].includes(worker.stage))
      if (busy?.pid) {
        process.kill(busy.pid, 'SIGKILL')
        killed = true
      } else await new Promise((resolve) => setTimeout(resolve, 500))
    }
    expect(killed).toBe(true)
    const [slowVerdict, ...rest] = await Promise.all([slow, ...others])
    expect(slowVerdict.status, slowVerdict.error?.message).toBe('passed')
    expect(rest[0]!.status).toBe('passed')
    // The same kernel on a task with one input: a verdict against it, not a lost worker.
    expect(['incorrect', 'runtime_error']).toContain(rest[1]!.status)
    const status = runner.status()
    expect(status.hosts).toEqual([expect.objectContaining({ name: 'ray', kind: 'ray', state: 'ready' })])
    expect(status.workers.map((worker) => worker.key).every((key) => key.startsWith('ray:'))).toBe(true)
    // Three candidates, three verdicts: the retried one is not counted twice.
    expect(status.evaluations.passed + status.evaluations.failed).toBe(3)
  }, 600_000)

  it('lists the nodes for Toolchains, then stops new work with RUNNER_LOST once the cluster is gone', async () => {
    const inventory = await host.inventory()
    expect(inventory.nodes).toHaveLength(1)
    expect(inventory.nodes[0]).toMatchObject({ head: true, cpus: 3, gpus: 0 })
    spawnSync(ray, ['stop', '--force'], { env, timeout: 120_000 })
    const deadline = Date.now() + 60_000
    while (host.lostReason === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500))
    expect(host.lostReason).not.toBeNull()
    await expect(evaluate('vector_add', join(fixtures, 'candidates', 'numpy', 'add_correct.py'))).rejects.toMatchObject({ code: 'RUNNER_LOST' })
  }, 240_000)
})
