import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveRunSpec, runSpecInput, type RunEventDraft, type Verdict } from '../../agents/contract/index.ts'
import { analyzeProfile } from '../../agents/roles/profile.ts'
import { makeVerdict } from '../../agents/testing/fake-runner.ts'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { repoRoot } from '../helpers/temp-host.ts'
import { passedRecord, writeRunLog } from './stored-run.ts'
import { startReplayStudio, type ReplayStudio } from './ui-replay-server.ts'

// A stored optimize run whose verdicts carry the ncu section the harness writes, parsed by the
// harness's own parsers from real ncu output stored as fixtures (ncu 2025.3.1 on an H200: a
// CUDA-C vector add and eager's kernel for it, resources/harness/tests/fixtures/ncu/cuda_add).
const harness = join(repoRoot, 'resources', 'harness')
const fixtures = join(harness, 'tests', 'fixtures')
const candidateFile = join(fixtures, 'candidates', 'cuda_c', 'add_correct.py')
const reports = join(fixtures, 'ncu', 'cuda_add')

function ncuSection(scale: number): unknown {
  const script = [
    'import json, sys',
    'from akg_harness.ncu_metrics import parse_csv, totals',
    'from akg_harness.ncu_source import map_to_candidate, parse_source_page',
    'raw, source, reference, candidate = (open(p).read() for p in sys.argv[1:5])',
    'scale = float(sys.argv[5])',
    'kernels = [dict(k, dsl=True, duration_ms=k["duration_ms"] * scale) for k in parse_csv(raw)]',
    'baseline = [dict(k, dsl=False) for k in parse_csv(reference)]',
    'print(json.dumps({"kernels": kernels, "total": totals(kernels), "collection_s": 57.4, "source": map_to_candidate(parse_source_page(source), candidate), "baseline": {"kernels": baseline, "total": totals(baseline)}}))',
  ].join('\n')
  return JSON.parse(
    execFileSync(
      join(repoRoot, '.venv', 'bin', 'python'),
      [
        '-c',
        script,
        join(reports, 'candidate-raw.csv'),
        join(reports, 'candidate-source.csv'),
        join(reports, 'reference-raw.csv'),
        candidateFile,
        String(scale),
      ],
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
      dsl: 'cuda_c',
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
    const record = passedRecord(runId, id, {
      dsl: 'cuda_c',
      step: index,
      origin: index === 0 ? 'generate' : 'optimize',
      parentId: index === 0 ? null : 'c0001',
      medianMs: verdict.timing!.candidate.median_ms,
      eagerMs: 0.05,
      compileMs: 0.045,
      speedups: { eager: verdict.timing!.speedup_vs_eager, compile: verdict.timing!.speedup_vs_compile },
    })
    events.push(
      { type: 'candidate-start', candidate: { ...record, status: 'verifying', verdict: null } },
      { type: 'verify-end', candidateId: id, verdict, resultPath: `candidates/${id}/result.json`, durationMs: 10 },
      { type: 'profile-end', candidateId: id, analysis: analyzeProfile(verdict) },
      { type: 'candidate-end', candidate: record },
      { type: 'step-end', step: index },
    )
  }
  events.push({ type: 'run-end', reason: 'budget-candidates', status: 'completed', bestCandidateId: 'c0002', detail: '2 of 2 candidates used' })
  writeRunLog(folder, runId, spec, events)
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
    await page.getByRole('button', { name: '101_Vector_add_large · cuda_c · optimize', exact: true }).click()
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
    await expect(table.getByRole('row', { name: /GPU time/ }).textContent()).resolves.toMatch(/46\.2 µs.*57\.8 µs/)
    await screenshot(page, 'ui-profile-ncu-compare')
  })

  it('draws the hot lines as a heat gutter in the code view', async () => {
    await page.getByRole('button', { name: 'Back to the run' }).click()
    const panel = page.getByTestId('candidate-panel')
    await panel.getByRole('tab', { name: 'Hot lines' }).click()
    await panel.getByTestId('hot-lines').waitFor()
    await expect(panel.getByTestId('hot-lines').getByRole('listitem').first().textContent()).resolves.toContain(
      'line 11: 90% of stall samples, mostly long scoreboard',
    )
    await expect(panel.locator('.cm-heat-mark[data-line="11"]').textContent()).resolves.toBe('90%')
    await screenshot(page, 'ui-hot-lines')
  })
})
