import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { TuneProgressEvent, TuneSession } from '../../../agents/contract/index.ts'
import { syntheticRunner } from '../../../agents/tuner/synthetic-runner.ts'
import type { Configuration } from '../../../agents/tuner/index.ts'
import { TunerService } from './tuner-service.ts'

const root = join(import.meta.dirname, '..', '..', '..')
const fixtures = join(root, 'test', 'fixtures', 'tuner')
const folders: string[] = []
afterEach(() => folders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true })))

function service(objective: (params: Configuration) => number | string, presetFolders = [join(root, 'resources', 'tuner', 'presets')]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'akg-tuner-'))
  folders.push(dataDir)
  const events: { start: TuneSession[]; progress: TuneProgressEvent[]; end: TuneSession[] } = { start: [], progress: [], end: [] }
  const runner = syntheticRunner(objective)
  const tuner = new TunerService({
    runner,
    presetFolders,
    dataDir,
    resolveTask: async (reference) => ({ path: join(root, 'resources', 'tasks', 'level1', `${reference}.py`), name: reference }),
    emit: { start: (session) => events.start.push(session), progress: (payload) => events.progress.push(payload), end: (session) => events.end.push(session) },
    deviceFamily: async (dsl, device) => (device === 'cpu' ? (dsl === 'triton' ? 'cpu-interpreter' : 'cpu') : 'hopper'),
  })
  return { tuner, events, runner, dataDir }
}

// relu_triton.py launches a grid sized for 1024-element blocks: smaller blocks skip elements.
const relu = (params: Configuration) =>
  (params.BLOCK_SIZE as number) < 1024
    ? 'output_matches_reference: 25% of elements out of tolerance'
    : 0.01 * (params.NUM_WARPS as number) + 1 / (params.BLOCK_SIZE as number)

describe('tuning sessions', () => {
  it('on the CPU, Triton is checked for correctness only and each broken block size is reported with its error', async () => {
    const { tuner, events, dataDir } = service(relu)
    const started = await tuner.start({ task: '19_ReLU', candidate: join(fixtures, 'relu_triton.py'), device: 'cpu' })
    expect(started.state).toBe('running')
    expect(started.dsl).toBe('triton')
    expect(started.strategy.preset).toBe('triton-cpu-interpreter')
    expect(started.strategy.reasons[0]).toBe('preset triton-cpu-interpreter matched on dsl triton, device family cpu-interpreter')
    const session = await tuner.wait(started.id)
    expect(session.state).toBe('finished')
    expect(session.records).toHaveLength(12)
    const failed = session.records.filter((record) => record.status === 'failed')
    expect(failed.map((record) => record.params.BLOCK_SIZE).sort()).toEqual([256, 256, 256, 512, 512, 512])
    expect(failed[0]!.error?.message).toMatch(/25% of elements out of tolerance/)
    expect(session.best).toBeNull()
    expect(events.progress).toHaveLength(12)
    expect(events.end.at(-1)!.state).toBe('finished')
    const saved = JSON.parse(readFileSync(join(dataDir, session.id, 'session.json'), 'utf8')) as TuneSession
    expect(saved.records).toHaveLength(12)
  })

  it('on a GPU, the best configuration becomes a new candidate file with the tuned values', async () => {
    const { tuner } = service(relu)
    const started = await tuner.start({ task: '19_ReLU', candidate: join(fixtures, 'relu_triton.py'), device: 'cuda', strategy: 'exhaustive' })
    const session = await tuner.wait(started.id)
    expect(session.best?.params).toEqual({ BLOCK_SIZE: 2048, NUM_WARPS: 2 })
    const best = readFileSync(session.bestCandidatePath!, 'utf8')
    expect(best).toContain('BLOCK_SIZE = 2048  # akg:tune [256, 512, 1024, 2048]')
    expect(best).toContain('NUM_WARPS = 2  # akg:tune [2, 4, 8]')
  })

  it('evaluates each @triton.autotune point as its own pinned source', async () => {
    const { tuner, runner } = service((params) => (params.num_warps as number) / 100)
    const started = await tuner.start({ task: '23_Softmax', candidate: join(fixtures, 'softmax_autotune.py'), device: 'cuda', strategy: 'exhaustive' })
    const session = await tuner.wait(started.id)
    expect(session.space.declaredBy).toBe('triton-autotune')
    expect(session.records.filter((record) => record.status === 'passed' && record.phase !== 'confirm')).toHaveLength(3)
    // The confirmation round re-times the three points (same pinned sources) and picks from those medians.
    expect(session.confirmation?.configurations).toHaveLength(3)
    expect(session.records.filter((record) => record.phase === 'confirm')).toHaveLength(9)
    expect(session.best?.phase).toBe('confirm')
    const variants = runner.requests.map((request) => readFileSync(request.candidatePath, 'utf8'))
    expect(new Set(runner.requests.map((request) => request.candidatePath)).size).toBe(3)
    expect(variants.every((text) => (text.match(/triton\.Config\(/g) ?? []).length === 1)).toBe(true)
    expect(runner.requests.every((request) => Object.keys(request.params ?? {}).length === 0)).toBe(true)
  })

  it('refuses a candidate with nothing to tune, a malformed declaration, and a broken preset file, saying what to do', async () => {
    const { tuner, dataDir } = service(relu, [join(root, 'resources', 'tuner', 'presets'), fixtures])
    const plain = join(dataDir, 'plain.py')
    writeFileSync(plain, 'import triton\nBLOCK = 1024\n')
    await expect(tuner.start({ task: '19_ReLU', candidate: plain, device: 'cpu' })).rejects.toThrow(
      /declares nothing to tune: add a line like `BLOCK_SIZE = 1024 {2}# akg:tune/,
    )
    const broken = join(dataDir, 'broken.py')
    writeFileSync(broken, 'import triton\nBLOCK = 1024  # akg:tune [1024, 1024]\n')
    await expect(tuner.start({ task: '19_ReLU', candidate: broken, device: 'cpu' })).rejects.toMatchObject({
      code: 'TUNER_DECLARATION',
      message: 'broken.py: line 2: the value 1024 is listed twice',
    })
    await expect(
      tuner.start({ task: '19_ReLU', candidate: join(fixtures, 'relu_triton.py'), device: 'cpu', strategy: join(fixtures, 'malformed-eta.json') }),
    ).rejects.toMatchObject({ code: 'TUNER_PRESET_INVALID', detail: { field: 'strategy.eta' } })
    const listed = await tuner.presets()
    expect(listed.problems.map((problem) => problem.field).sort()).toEqual(['constraints.0.expression', 'strategy.eta'])
    expect(listed.presets.find((preset) => preset.name === 'triton-hopper')?.overrides[0]?.kernel).toBe('matmul|matrix_mult|gemm|bmm|linear')
  })
})
