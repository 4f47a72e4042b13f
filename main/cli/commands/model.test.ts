import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ModelPatchReport } from '../../../agents/contract/index.ts'
import { repoRoot } from '../../../test/helpers/temp-host.ts'
import { harnessError, tasksDirFor } from '../../host/model/model-service.ts'
import { runCli } from '../index.ts'
import { parseKernels } from './model.ts'
import { patchText, winnersText } from './model-text.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'akg-cli-model-'))
process.env.AKG_STUDIO_HOME = dataDir
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

async function akg(...args: string[]) {
  const out: string[] = []
  const error: string[] = []
  const code = await runCli(args, { out: (line) => out.push(line), error: (line) => error.push(line) })
  return { code, out: out.join('\n'), error: error.join('\n') }
}

describe('akg model', () => {
  it('reads kernels as TASK=FILE[@dsl] and says what is wrong with the arguments', async () => {
    expect(parseKernels(['r01=/k/a.py', 'r02=/k/b.py@triton'], 'cpp')).toEqual({
      r01: { path: '/k/a.py', dsl: 'cpp' },
      r02: { path: '/k/b.py', dsl: 'triton' },
    })
    expect(() => parseKernels(['r01'], 'cpp')).toThrow(/--kernel r01: give TASK=WINNER.py/)
    expect(() => parseKernels(['r01=a.py@fortran'], 'cpp')).toThrow(/unknown DSL "fortran"/)
    const usage = await akg('model', 'frobnicate', 'm.py')
    expect(usage.code).toBe(1)
    expect(usage.error).toMatch(/usage: akg model profile\|extract\|winners\|apply\|compare MODEL/)
    const noKernels = await akg('model', 'apply', join(dataDir, 'm.py'))
    expect(noKernels.error).toMatch(/Give at least one winning kernel .*\[MODEL_NO_KERNELS\]/)
    expect(tasksDirFor('/models/net.py')).toBe('/models/net.akg-tasks')
  })

  it("prints each region's winner with where it came from, and why the others have none", () => {
    const text = winnersText({
      tasksDir: '/m/net.akg-tasks',
      winners: {
        r01: {
          path: '/d/runs/a/candidates/c0002/candidate.py',
          dsl: 'triton',
          runId: 'a',
          runTitle: 't',
          candidateId: 'c0002',
          medianMs: 0.1234,
          speedupVsEager: 1.5,
          noisy: false,
          replay: true,
        },
      },
      missing: [{ id: 'r02', taskPath: '/m/net.akg-tasks/r02_linear.py', reason: 'no run was made on this task yet' }],
    })
    expect(text).toMatch(/r01 +a c0002 +triton +0\.1234 +1\.50x +replay +\/d\/runs\/a\/candidates\/c0002\/candidate\.py/)
    expect(text).toContain('r02: no winner: no run was made on this task yet')
  })

  it("turns the harness's last line into an error code and message", () => {
    const error = harnessError('extract', "USDT:1 profiler\nakg_harness model extract: MODEL_ERROR: [forward] the model's forward failed: shape\n", 2)
    expect(error.code).toBe('MODEL_ERROR')
    expect(error.message).toBe("[forward] the model's forward failed: shape")
    expect(harnessError('apply', 'akg_harness model apply: BAD_REQUEST: no task r09', 2).code).toBe('MODEL_BAD_REQUEST')
    expect(harnessError('apply', 'Traceback\nKeyError: x', 1).message).toMatch(/exited with 1: Traceback \| KeyError: x/)
  })

  it('names a refused region and prints each side of the A/B with the speedups', () => {
    const report: ModelPatchReport = {
      model: { path: '/m/net.py', name: 'net' },
      device: 'cpu',
      tasks_dir: '/m/net.akg-tasks',
      mode: 'graph',
      regions: [
        {
          id: 'r01',
          label: 'linear -> relu',
          file: 'r01.py',
          paths: ['enc'],
          status: 'accepted',
          reason: null,
          checks: [],
          kernel: { path: '/k/a.py', dsl: 'cpp' },
        },
        {
          id: 'r02',
          label: 'linear',
          file: 'r02.py',
          paths: ['head'],
          status: 'refused',
          reason: "its kernel breaks the model's output on input set 0",
          checks: [],
          kernel: { path: '/k/b.py', dsl: 'cpp' },
        },
      ],
      accepted: ['r01'],
      refused: [{ id: 'r02', reason: "its kernel breaks the model's output on input set 0" }],
      combined: { passed: true, checks: [{ passed: true, summary: 'all 64 elements within tolerance', max_abs_error: 0, fp64: null }] },
      notes: [],
      region_share: 0.25,
      sets: [
        {
          inputs: [[2, 8, 32]],
          batch: 2,
          sides: { eager: { median_ms: 2, iqr_ms: 0.1, items_per_s: 1000 }, patched: { median_ms: 1.6, iqr_ms: 0.1, items_per_s: 1250 } },
          speedups: { patched_vs_eager: 1.25, patched_compile_vs_compile: null },
        },
      ],
    }
    const text = patchText(report)
    expect(text).toContain('net: 1 region(s) accepted, 1 refused (graph mode)')
    expect(text).toContain("r02 linear at head: refused - its kernel breaks the model's output on input set 0")
    expect(text).toMatch(/patched\s+1\.600\s+0\.10\s+1250\.0/)
    expect(text).toContain('patched vs eager 1.250x')
    expect(text).not.toContain('patched compile vs compile')
    expect(text).toContain("the accepted regions held 25.0% of the model's profiled time")
  })

  it('says plainly when the model file does not import', async () => {
    const model = join(repoRoot, 'resources', 'harness', 'tests', 'fixtures', 'models', 'does_not_import.py')
    const result = await akg('model', 'profile', model)
    expect(result.code).toBe(1)
    expect(result.error).toMatch(/does_not_import\.py does not import: ModuleNotFoundError: .*not_a_real_package.* \[MODEL_ERROR\]/)
  }, 300_000)
})
