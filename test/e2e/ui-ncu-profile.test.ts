import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveRunSpec, runSpecInput, type CandidateRecord, type RunEventDraft, type Verdict } from '../../agents/contract/index.ts'
import { analyzeProfile } from '../../agents/roles/profile.ts'
import { makeVerdict } from '../../agents/testing/fake-runner.ts'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { repoRoot } from '../helpers/temp-host.ts'
import { startReplayStudio, type ReplayStudio } from './ui-replay-server.ts'

// A stored optimize run whose verdicts carry the ncu section the harness writes, parsed by the
// harness's own parsers from the stored ncu output (resources/harness/tests/fixtures/ncu).
const harness = join(repoRoot, 'resources', 'harness')
const fixtures = join(harness, 'tests', 'fixtures')
const candidateFile = join(fixtures, 'candidates', 'triton', 'add_correct.py')

function ncuSection(scale: number): unknown {
  const script = [
    'import json, sys',
    'from akg_harness.ncu_metrics import parse_csv, totals',
    'from akg_harness.ncu_source import map_to_candidate, parse_source_page',
    'raw, source, candidate, scale = open(sys.argv[1]).read(), open(sys.argv[2]).read(), open(sys.argv[3]).read(), float(sys.argv[4])',
    'kernels = [dict(k, dsl=True, duration_ms=k["duration_ms"] * scale) for k in parse_csv(raw)]',
    'baseline = [dict(k, name="at::native::vectorized_elementwise_kernel", memory_throughput_pct=88.0, sm_throughput_pct=12.0, stalls={"long_scoreboard": 6.0, "wait": 2.0}, dsl=False) for k in kernels]',
    'print(json.dumps({"kernels": kernels, "total": totals(kernels), "collection_s": 7.4, "source": map_to_candidate(parse_source_page(source), candidate), "baseline": {"kernels": baseline}}))',
  ].join('\n')
  return JSON.parse(
    execFileSync(
      join(repoRoot, '.venv', 'bin', 'python'),
      ['-c', script, join(fixtures, 'ncu', 'candidate-raw.csv'), join(fixtures, 'ncu', 'candidate-source.csv'), candidateFile, String(scale)],
      { env: { ...process.env, PYTHONPATH: harness }, encoding: 'utf8' },
    ),
  )
}

let studio: ReplayStudio
let browser: Browser
let page: Page
const runId = 'r-ncu-profile'

function storeRun(dataDir: string): void {
  const folder = join(dataDir, 'runs', runId)
  const spec = resolveRunSpec(
    runSpecInput.parse({
      taskPath: join(repoRoot, 'resources', 'tasks', 'level1', '101_Vector_add_large.py'),
      dsl: 'triton',
      device: 'cuda:0',
      workflow: 'optimize',
    }),
  )
  const events: RunEventDraft[] = [{ type: 'run-start', spec, resumed: false }]
  for (const [index, id] of ['c0001', 'c0002'].entries()) {
    mkdirSync(join(folder, 'candidates', id), { recursive: true })
    copyFileSync(candidateFile, join(folder, 'candidates', id, 'candidate.py'))
    const verdict: Verdict = {
      ...makeVerdict('passed', { medianMs: 0.06 - index * 0.01, eagerMs: 0.05 }),
      roofline: { bytes: 201326592, peak_bandwidth_gbs: 4800, achieved_bandwidth_gbs: 3300 },
      ncu: ncuSection(1 - index * 0.2),
    }
    writeFileSync(join(folder, 'candidates', id, 'result.json'), JSON.stringify(verdict))
    const record: CandidateRecord = {
      id,
      runId,
      parentId: index === 0 ? null : 'c0001',
      inspirationIds: [],
      island: null,
      step: index,
      dsl: 'triton',
      origin: index === 0 ? 'generate' : 'optimize',
      codePath: `candidates/${id}/candidate.py`,
      status: 'passed',
      findings: [],
      params: null,
      verdict: {
        status: 'passed',
        correct: true,
        interpreted: false,
        errorStage: null,
        errorMessage: null,
        failedChecks: [],
        medianMs: verdict.timing!.candidate.median_ms,
        eagerMs: 0.05,
        compileMs: 0.045,
        maxAbsError: 0,
        flags: [],
      },
      timing: { startedAt: new Date().toISOString(), endedAt: new Date().toISOString(), generateMs: 10, verifyMs: 10 },
      speedups: { eager: verdict.timing!.speedup_vs_eager, compile: verdict.timing!.speedup_vs_compile },
    }
    events.push(
      { type: 'candidate-start', candidate: { ...record, status: 'verifying', verdict: null } },
      { type: 'verify-end', candidateId: id, verdict, resultPath: `candidates/${id}/result.json`, durationMs: 10 },
      { type: 'profile-end', candidateId: id, analysis: analyzeProfile(verdict) },
      { type: 'candidate-end', candidate: record },
      { type: 'step-end', step: index },
    )
  }
  events.push({ type: 'run-end', reason: 'budget-candidates', status: 'completed', bestCandidateId: 'c0002', detail: '2 of 2 candidates used' })
  writeFileSync(join(folder, 'spec.json'), JSON.stringify(spec, null, 2))
  writeFileSync(
    join(folder, 'events.jsonl'),
    events.map((event, seq) => JSON.stringify({ ...event, runId, seq, time: new Date(Date.now() - 60_000 + seq * 100).toISOString() })).join('\n') + '\n',
  )
}

beforeAll(async () => {
  studio = await startReplayStudio()
  storeRun(studio.dataDir)
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1600, height: 1100 } })
  await page.goto(`${studio.openUrl}#/tasks`)
  await page.getByTestId('task-list').waitFor()
})
afterAll(async () => {
  await browser?.close()
  await studio?.close()
})

describe('Nsight Compute in the Profile view and the code view', () => {
  it('shows the candidate against the eager baseline: diagnosis facts, SOL bars, stalls, memory', async () => {
    await page.getByRole('button', { name: 'Runs', exact: true }).click()
    await page.getByRole('button', { name: '101_Vector_add_large · triton · optimize', exact: true }).click()
    await page.getByTestId('candidate-table').getByRole('row').filter({ hasText: 'c0002' }).getByRole('button').first().click()
    await page.getByTestId('candidate-panel').getByRole('button', { name: 'Profile' }).click()
    await page.getByRole('heading', { name: /Profile of c0002/ }).waitFor()
    await page.getByTestId('sol-bars').waitFor()
    await page.getByTestId('stall-breakdown').waitFor()
    await page.getByTestId('memory-chart').waitFor()
    await expect(page.getByLabel('Diagnosis facts').textContent()).resolves.toContain('Top warp stall: long scoreboard')
    await expect(page.getByTestId('ncu-comparison').textContent()).resolves.toContain('eager baseline')
    await screenshot(page, 'ui-profile-ncu')
  })

  it('compares two candidates of the run', async () => {
    await page.getByLabel('Compare with').selectOption('c0001')
    const table = page.getByTestId('ncu-comparison').getByRole('table')
    await table.filter({ hasText: 'c0001' }).waitFor()
    await expect(table.getByRole('row', { name: /GPU time/ }).textContent()).resolves.toMatch(/42\.0 µs.*52\.5 µs/)
    await screenshot(page, 'ui-profile-ncu-compare')
  })

  it('draws the hot lines as a heat gutter in the code view', async () => {
    await page.getByRole('button', { name: 'Back to the run' }).click()
    const panel = page.getByTestId('candidate-panel')
    await panel.getByRole('tab', { name: 'Hot lines' }).click()
    await panel.getByTestId('hot-lines').waitFor()
    await expect(panel.getByTestId('hot-lines').getByRole('listitem').first().textContent()).resolves.toContain(
      'line 14: 40% of stall samples, mostly long scoreboard',
    )
    await expect(panel.locator('.cm-heat-mark[data-line="14"]').textContent()).resolves.toBe('40%')
    await screenshot(page, 'ui-hot-lines')
  })
})
