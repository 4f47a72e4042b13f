import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { BenchReport, RunDetail, RunEvent } from '../../agents/contract/index.ts'

const root = join(import.meta.dirname, '..', '..')
const dataDir = mkdtempSync(join(tmpdir(), 'akg-cli-run-'))
const cassettes = join(root, 'test', 'fixtures', 'cassettes')
const relu = join(root, 'resources', 'tasks', 'level1', '19_ReLU.py')

/** Runs the real `akg` command with its own data folder; the harness runs in Python worker processes. */
function akg(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'akg.mjs'), ...args], { cwd: root, env: { ...process.env, AKG_STUDIO_HOME: dataDir } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

const events = (runId: string): RunEvent[] =>
  readFileSync(join(dataDir, 'runs', runId, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as RunEvent)

afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('akg run and akg migrate on the CPU with replayed answers and the real harness', () => {
  it("akg run: the checker rejects the first replayed kernel, the Fixer's kernel is verified correct and timed", async () => {
    const result = await akg([
      'run',
      relu,
      '--dsl',
      'cpp',
      '--device',
      'cpu',
      '--replay',
      join(cassettes, '19_ReLU.cpp.json'),
      '--budget',
      'steps=4,candidates=4',
      '--json',
    ])
    expect(result.code, result.stderr).toBe(0)
    const detail = JSON.parse(result.stdout) as RunDetail
    expect(detail.summary).toMatchObject({ status: 'completed', endReason: 'correct', candidates: 2, correctCandidates: 1 })
    const [first, second] = detail.candidates
    expect(first).toMatchObject({ origin: 'generate', status: 'rejected' })
    expect(first!.findings.map((finding) => finding.message).join('\n')).toContain('-fopenmp is not in extra_cflags')
    expect(second).toMatchObject({ origin: 'fix', parentId: first!.id, status: 'passed' })
    expect(second!.verdict!.medianMs).toBeGreaterThan(0)
    expect(second!.verdict!.eagerMs).toBeGreaterThan(0)
    const log = events(detail.summary.id)
    expect(log.map((event) => event.seq)).toEqual(log.map((_, index) => index))
    expect(log.find((event) => event.type === 'verify-end')).toMatchObject({ verdict: { status: 'passed', correct: true } })
    const runFolder = join(dataDir, 'runs', detail.summary.id)
    for (const path of ['spec.json', `candidates/${second!.id}/candidate.py`, `candidates/${second!.id}/result.json`, `candidates/${first!.id}/plan.md`]) {
      expect(existsSync(join(runFolder, path)), path).toBe(true)
    }

    const shown = await akg(['show', detail.summary.id])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toMatch(new RegExp(`${second!.id}\\s+fix\\s+${first!.id}\\s+-\\s+passed`))
    const listed = await akg(['runs'])
    expect(listed.stdout).toContain(detail.summary.id)
  })

  it("akg migrate: a Triton kernel ported to C++, checked against the task and against the Triton kernel's outputs", async () => {
    const source = join(cassettes, 'sources', 'relu_triton_source.py')
    const result = await akg([
      'migrate',
      source,
      '--from',
      'triton',
      '--to',
      'cpp',
      '--task',
      relu,
      '--device',
      'cpu',
      '--replay',
      join(cassettes, '19_ReLU.cpp.migrate.json'),
      '--json',
    ])
    expect(result.code, result.stderr).toBe(0)
    const detail = JSON.parse(result.stdout) as RunDetail
    const sourceCandidate = detail.candidates.find((candidate) => candidate.origin === 'migrate-source')!
    const target = detail.candidates.find((candidate) => candidate.origin === 'generate')!
    expect(target.status).toBe('passed')
    const check = events(detail.summary.id).find((event) => event.type === 'source-check-end')
    // The source runs here only under Triton's interpreter; when it cannot, the comparison must say skipped.
    if (sourceCandidate.verdict?.correct) {
      expect(sourceCandidate.verdict.interpreted).toBe(true)
      expect(check).toMatchObject({ candidateId: target.id, status: 'passed' })
    } else {
      expect(check).toMatchObject({ candidateId: target.id, status: 'skipped' })
    }
  })

  it("akg fork: a new run starts from a finished run's correct candidate, re-verified by the harness", async () => {
    const runs = JSON.parse((await akg(['runs', '--json'])).stdout) as Array<{ id: string; best: { candidateId: string } | null }>
    const parent = runs.find((run) => run.best !== null)
    expect(parent, 'the akg run test leaves a run with a correct candidate').toBeDefined()
    const result = await akg(['fork', parent!.id, parent!.best!.candidateId, '--budget', 'candidates=1', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const detail = JSON.parse(result.stdout) as RunDetail
    expect(detail.summary.id).not.toBe(parent!.id)
    expect(detail.candidates[0]).toMatchObject({ origin: 'fork', status: 'passed' })
  })

  it('akg bench: one run per task, a report with fast_p and speedups, written as JSON and CSV', async () => {
    const out = join(dataDir, 'bench-out')
    // A cassette folder answers each task with <task>.<dsl>.json.
    // A malformed task in the batch is reported on its row and does not stop the others.
    const malformed = join(dataDir, 'malformed_task.py')
    writeFileSync(malformed, 'import torch\n\nclass Model(torch.nn.Module):\n    def forward(self, x):\n        return x\n')
    const result = await akg([
      'bench',
      relu,
      malformed,
      '--dsl',
      'cpp',
      '--device',
      'cpu',
      '--replay',
      cassettes,
      '--budget',
      'steps=4,candidates=4',
      '--out',
      out,
      '--json',
    ])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as BenchReport
    expect(report.summary).toMatchObject({ status: 'completed', tasks: 2, finished: 2 })
    expect(report.rows[1]).toMatchObject({ taskName: 'malformed_task', runStatus: 'not-started', correct: false, error: expect.stringContaining('get_inputs') })
    expect(report.rows[0]).toMatchObject({ taskName: '19_ReLU', correct: true, bestCandidateId: 'c0002', error: null, models: ['replay'], replay: true })
    expect(report.rows[0]!.speedupVsEager).toBeGreaterThan(0)
    expect(report.metrics.fastP.eager['0']).toBe(0.5)
    const csv = readFileSync(join(out, `${report.summary.id}.csv`), 'utf8')
    expect(csv.split('\n')[0]).toBe(
      'task,task_path,run_id,run_status,correct,best_candidate,median_ms,eager_ms,compile_ms,speedup_vs_eager,speedup_vs_compile,noisy_timing,baseline,models,replay,error',
    )
    expect(csv).toContain('# fast_0 vs eager,0.5')
    expect(JSON.parse(readFileSync(join(out, `${report.summary.id}.json`), 'utf8'))).toEqual(report)
  })
})
