import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunDetail, RunEvent } from '../../agents/contract/index.ts'

const root = join(import.meta.dirname, '..', '..')
const dataDir = mkdtempSync(join(tmpdir(), 'akg-cli-numpy-'))
const relu = join(root, 'resources', 'tasks', 'level1', '19_ReLU.py')
const cassette = join(root, 'test', 'fixtures', 'cassettes', '19_ReLU.numpy.json')

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

afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('akg run with the numpy DSL on the CPU: a replayed (scripted) Coder answer through the real loop and harness', () => {
  it('checks the NumPy kernel statically, verifies it correct in the sandboxed harness and times it', async () => {
    const result = await akg(['run', relu, '--dsl', 'numpy', '--device', 'cpu', '--replay', cassette, '--budget', 'steps=3,candidates=2', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const detail = JSON.parse(result.stdout) as RunDetail
    expect(detail.summary).toMatchObject({ status: 'completed', endReason: 'correct', dsl: 'numpy', candidates: 1, correctCandidates: 1 })
    const [candidate] = detail.candidates
    expect(candidate).toMatchObject({ origin: 'generate', status: 'passed' })
    expect(candidate!.findings.filter((finding) => finding.severity === 'error')).toEqual([])
    expect(candidate!.verdict).toMatchObject({ correct: true, interpreted: false })
    expect(candidate!.verdict!.medianMs).toBeGreaterThan(0)
    const code = readFileSync(join(dataDir, 'runs', detail.summary.id, 'candidates', candidate!.id, 'candidate.py'), 'utf8')
    expect(code).toContain('torch.from_numpy(relu_kernel(')
    const result_ = JSON.parse(readFileSync(join(dataDir, 'runs', detail.summary.id, 'candidates', candidate!.id, 'result.json'), 'utf8')) as {
      dsl: string
      checks: Array<{ name: string; passed: boolean; detail: string }>
    }
    expect(result_.dsl).toBe('numpy')
    expect(result_.checks.find((check) => check.name === 'dsl_kernel_launched')).toMatchObject({ passed: true })
    expect(result_.checks.find((check) => check.name === 'work_in_dsl')).toMatchObject({ passed: true })
    const log = readFileSync(join(dataDir, 'runs', detail.summary.id, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RunEvent)
    expect(log.find((event) => event.type === 'verify-end')).toMatchObject({ verdict: { status: 'passed', correct: true } })
  })
})
