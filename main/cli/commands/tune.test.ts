import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../../test/helpers/temp-host.ts'
import { runCli } from '../index.ts'
import { parseBudget } from './tune.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'akg-cli-tune-'))
process.env.AKG_STUDIO_HOME = dataDir
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

async function akg(...args: string[]) {
  const out: string[] = []
  const error: string[] = []
  const code = await runCli(args, { out: (line) => out.push(line), error: (line) => error.push(line) })
  return { code, out: out.join('\n'), error: error.join('\n') }
}

const relu = join(repoRoot, 'test', 'fixtures', 'tuner', 'relu_triton.py')

describe('akg tune', () => {
  it('says what is missing or wrong in the arguments', async () => {
    const noTask = await akg('tune', relu)
    expect(noTask.code).toBe(1)
    expect(noTask.error).toMatch(/--task is required/)
    expect(noTask.error).toMatch(/usage: akg tune KERNEL --task TASK/)
    expect((await akg('tune', relu, '--task', '19_ReLU', '--budget', 'evals=zero')).error).toMatch(/--budget evals=zero: give a positive number/)
    expect(parseBudget('evals=12,minutes=1.5')).toEqual({ evaluations: 12, minutes: 1.5 })
    expect(() => parseBudget('hours=2')).toThrow(/unknown part "hours"/)
    const missing = await akg('tune', join(dataDir, 'nope.py'), '--task', '19_ReLU')
    expect(missing.error).toMatch(/Cannot read the candidate .*nope\.py.*\[TUNER_CANDIDATE_UNREADABLE\]/)
  })

  it('prints why, a line per configuration as it is checked, and the failures with their errors', async () => {
    const task = join(repoRoot, 'resources', 'tasks', 'level1', '19_ReLU.py')
    const result = await akg('tune', relu, '--task', task, '--budget', 'evals=3')
    expect(result.error).toBe('')
    expect(result.code).toBe(0)
    const lines = result.out.split('\n')
    expect(lines[0]).toBe('tuning 19_ReLU: BLOCK_SIZE[256,512,1024,2048] NUM_WARPS[2,4,8] = 12 configurations (comments)')
    expect(lines).toContain('why: preset triton-cpu-interpreter matched on dsl triton, device family cpu-interpreter')
    expect(lines.filter((line) => /^\[ {2}\d\/3\] /.test(line))).toHaveLength(3)
    expect(result.out).toMatch(/\[ {2}2\/3\] BLOCK_SIZE=256 NUM_WARPS=2 +FAILED \[incorrect\] output_matches_reference: /)
    expect(result.out).toMatch(/correctness only on this device: 1 of 3 configurations passed; no timing claims\./)
    const json = await akg('tune', relu, '--task', task, '--budget', 'evals=1', '--json')
    const session = JSON.parse(json.out) as { records: Array<{ status: string }>; strategy: { preset: string } }
    expect(session.strategy.preset).toBe('triton-cpu-interpreter')
    expect(session.records.map((record) => record.status)).toEqual(['passed'])
    expect(readFileSync(join(dataDir, 'tuner', (session as unknown as { id: string }).id, 'session.json'), 'utf8')).toContain('"triton-cpu-interpreter"')
  }, 300_000)
})
