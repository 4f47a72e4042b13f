import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { CandidateRecord, RunDetail, RunSummary } from '../../../agents/contract/index.ts'
import { ModelService, type ModelServiceDependencies } from './model-service.ts'

const root = mkdtempSync(join(tmpdir(), 'akg-winners-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const tasksDir = join(root, 'net.akg-tasks')
mkdirSync(tasksDir)
for (const file of ['r01_linear_relu.py', 'r02_conv2d_batch_norm.py', 'r03_linear.py', 'r04_softmax.py', 'r05_layer_norm.py', 'regions.json', 'notes.txt'])
  writeFileSync(join(tasksDir, file), '# task\n')

type Best = NonNullable<RunSummary['best']>
function run(id: string, task: string, device: string, best: Partial<Best> | null, candidate: Partial<CandidateRecord> = {}): [RunSummary, RunDetail] {
  const summary = {
    id,
    title: `${task} run ${id}`,
    taskPath: join(tasksDir, task),
    device,
    replay: id.includes('replay'),
    best: best && { candidateId: 'c0003', medianMs: 1, eagerMs: 2, compileMs: null, speedupVsEager: 2, speedupVsCompile: null, noisy: false, ...best },
  } as RunSummary
  const record = { id: best?.candidateId ?? 'c0003', dsl: 'triton', codePath: 'candidates/c0003/candidate.py', params: null, ...candidate } as CandidateRecord
  return [summary, { spec: {} as RunDetail['spec'], summary, candidates: [record] }]
}

const runs = [
  run('a', 'r01_linear_relu.py', 'cuda:0', { medianMs: 0.5, speedupVsEager: 1.4 }),
  run('b', 'r01_linear_relu.py', 'cuda:1', { medianMs: 0.3, speedupVsEager: 2.3, candidateId: 'c0007' }, { id: 'c0007' }),
  run('c-noisy', 'r01_linear_relu.py', 'cuda:0', { medianMs: 0.1, noisy: true }),
  run('d', 'r02_conv2d_batch_norm.py', 'cpu', { medianMs: 0.2 }),
  run('e', 'r03_linear.py', 'cuda:0', null),
  run('f-tuned', 'r04_softmax.py', 'cuda:0', { medianMs: 0.2 }, { params: { BLOCK: 256 } }),
  run('g-replay', 'r04_softmax.py', 'cuda:0', { medianMs: 0.4, speedupVsEager: 1.1 }),
  run('h-slow', 'r05_layer_norm.py', 'cuda:0', { medianMs: 0.9, speedupVsEager: 0.83 }),
]

function service(): ModelService {
  const deps = {
    runs: {
      list: async () => runs.map(([summary]) => summary),
      get: async (id: string) => runs.find(([summary]) => summary.id === id)![1],
      runFolder: (id: string) => join(root, 'runs', id),
    },
  } as unknown as ModelServiceDependencies
  return new ModelService(deps)
}

describe('the winners of the runs made on a model’s tasks', () => {
  it('takes the lowest trusted median on the model’s device kind and says why a task has none', async () => {
    const found = await service().winners({ path: join(root, 'net.py'), device: 'cuda' })
    expect(found.tasksDir).toBe(tasksDir)
    // r01: cuda:1's run counts for a cuda model; the noisy one, faster, only when nothing else is.
    expect(found.winners.r01).toMatchObject({ runId: 'b', candidateId: 'c0007', medianMs: 0.3, noisy: false, dsl: 'triton' })
    expect(found.winners.r01!.path).toBe(join(root, 'runs', 'b', 'candidates', 'c0003', 'candidate.py'))
    // r04: the faster candidate was measured with tuned parameters, which a patch cannot carry.
    expect(found.winners.r04).toMatchObject({ runId: 'g-replay', replay: true })
    expect(Object.keys(found.winners).sort()).toEqual(['r01', 'r04'])
    expect(found.missing).toEqual([
      { id: 'r02', taskPath: join(tasksDir, 'r02_conv2d_batch_norm.py'), reason: 'its runs were on cpu, not on cuda' },
      { id: 'r03', taskPath: join(tasksDir, 'r03_linear.py'), reason: 'none of its runs has a correct candidate' },
      {
        id: 'r05',
        taskPath: join(tasksDir, 'r05_layer_norm.py'),
        reason:
          'the best candidate (h-slow c0003) ran at 0.83x of eager on this task: patched in, it would slow the model; give its file by hand, or ask for slower winners (--slower, or “also slower than eager” in the Model view), to try it anyway',
      },
    ])
    // Asked for, a slower winner is taken like any other.
    const slower = await service().winners({ path: join(root, 'net.py'), device: 'cuda', slower: true })
    expect(slower.winners.r05).toMatchObject({ runId: 'h-slow', speedupVsEager: 0.83 })
  })

  it('takes a noisy winner when it is the only one, and names a missing task folder', async () => {
    runs.splice(0, 2)
    const found = await service().winners({ path: join(root, 'net.py'), device: 'cuda:0', tasksDir })
    expect(found.winners.r01).toMatchObject({ runId: 'c-noisy', noisy: true })
    const onCpu = await service().winners({ path: join(root, 'net.py'), device: 'cpu' })
    expect(Object.keys(onCpu.winners)).toEqual(['r02'])
    await expect(service().winners({ path: join(root, 'other.py'), device: 'cpu' })).rejects.toThrow(
      /No task folder at .*other\.akg-tasks: extract the model's regions first/,
    )
  })
})
