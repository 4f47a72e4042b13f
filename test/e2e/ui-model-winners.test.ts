import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveRunSpec, runSpecInput, type RunEventDraft, type Verdict } from '../../agents/contract/index.ts'
import { makeVerdict } from '../../agents/testing/fake-runner.ts'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { repoRoot } from '../helpers/temp-host.ts'
import { passedRecord, writeRunLog } from './stored-run.ts'
import { startReplayStudio, type ReplayStudio } from './ui-replay-server.ts'

// The Model view end to end on the CPU: a real model is extracted by the harness, a run made on one
// of its tasks is stored (its candidate a real C++ kernel for that region), "Fill from runs" finds
// it as the region's winner, and Apply patches it into the model in the harness, checked there.
const fixtures = join(repoRoot, 'resources', 'harness', 'tests', 'fixtures')
const runId = 'r-model-winner'

let studio: ReplayStudio
let browser: Browser
let page: Page
let modelDir: string
let modelPath: string

/** A finished run on `taskPath` whose best candidate is `kernel`, stored as the run engine writes runs. */
function storeRun(dataDir: string, taskPath: string, kernel: string, runId: string, medianMs = 0.2): void {
  const folder = join(dataDir, 'runs', runId)
  mkdirSync(join(folder, 'candidates', 'c0001'), { recursive: true })
  copyFileSync(kernel, join(folder, 'candidates', 'c0001', 'candidate.py'))
  const spec = resolveRunSpec(runSpecInput.parse({ taskPath, dsl: 'cpp', device: 'cpu', workflow: 'single' }))
  const verdict: Verdict = makeVerdict('passed', { medianMs, eagerMs: 0.3 })
  writeFileSync(join(folder, 'candidates', 'c0001', 'result.json'), JSON.stringify(verdict))
  const record = passedRecord(runId, 'c0001', { dsl: 'cpp', step: 0, origin: 'generate', medianMs, eagerMs: 0.3, compileMs: null })
  const events: RunEventDraft[] = [
    { type: 'run-start', spec, resumed: false },
    { type: 'candidate-start', candidate: { ...record, status: 'verifying', verdict: null } },
    { type: 'verify-end', candidateId: 'c0001', verdict, resultPath: 'candidates/c0001/result.json', durationMs: 10 },
    { type: 'candidate-end', candidate: record },
    { type: 'step-end', step: 0 },
    { type: 'run-end', reason: 'budget-candidates', status: 'completed', bestCandidateId: 'c0001', detail: '1 of 1 candidates used' },
  ]
  writeRunLog(folder, runId, spec, events)
}

beforeAll(async () => {
  studio = await startReplayStudio()
  // Outside the data folder: the harness's sandbox hides that folder from everything it imports.
  modelDir = mkdtempSync(join(tmpdir(), 'akg-model-'))
  modelPath = join(modelDir, 'small_transformer.py')
  copyFileSync(join(fixtures, 'models', 'small_transformer.py'), modelPath)
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1600, height: 1200 } })
  await page.goto(`${studio.openUrl}#/model`)
  await page.getByRole('heading', { name: 'Model', exact: true }).waitFor()
})
afterAll(async () => {
  await browser?.close()
  await studio?.close()
  if (modelDir) rmSync(modelDir, { recursive: true, force: true })
})

describe('Model view: the winners of the runs go back into the model', () => {
  it('extracts the regions, fills the winner from the run made on one task and patches it in', async () => {
    await page.getByLabel('Model file').fill(modelPath)
    await page.getByLabel('Tasks to write').fill('8') // the small model has 7 regions: all of them,
    await page.getByLabel('also regions at their floor').check() // even on a machine too busy for its floors
    await page.getByRole('button', { name: 'Extract tasks' }).click()
    await page.getByTestId('model-regions').waitFor({ timeout: 180_000 })
    const tasksDir = join(modelDir, 'small_transformer.akg-tasks')
    const relu = readdirSync(tasksDir).find((name) => /^r\d+_linear_relu\.py$/.test(name))
    expect(relu, `a linear -> relu task among ${readdirSync(tasksDir).join(', ')}`).toBeTruthy()
    const id = relu!.split('_')[0]!
    storeRun(studio.dataDir, join(tasksDir, relu!), join(fixtures, 'candidates', 'model', 'enc_linear_relu.py'), runId)
    // The head's run found only a kernel slower than eager on its task: left out unless asked for.
    const head = readdirSync(tasksDir).find((name) => /^r\d+_linear\.py$/.test(name))!
    const headId = head.split('_')[0]!
    storeRun(studio.dataDir, join(tasksDir, head), join(fixtures, 'candidates', 'model', 'head_linear.py'), 'r-model-slow', 0.5)

    await page.getByRole('button', { name: 'Fill from runs' }).click()
    const origin = page.getByTestId(`winner-origin-${id}`)
    await expect.poll(() => origin.textContent(), { timeout: 30_000 }).toMatch(/c0001 · 1\.50x over eager/)
    await expect(page.getByLabel(`winner for ${id}`).inputValue()).resolves.toContain(join(runId, 'candidates', 'c0001', 'candidate.py'))
    await expect(page.getByLabel(`DSL for ${id}`).inputValue()).resolves.toBe('cpp')
    // Every other region says why it has no winner.
    await expect(page.getByTestId(`winner-origin-${headId}`).textContent()).resolves.toContain('ran at 0.60x of eager on this task')
    await expect(page.getByLabel(`winner for ${headId}`).inputValue()).resolves.toBe('')
    const other = page
      .locator('[data-testid^="winner-origin-"]')
      .filter({ hasNotText: /c0001|0\.60x/ })
      .first()
    await expect(other.textContent()).resolves.toContain('no winner: no run was made on this task yet')
    await screenshot(page, 'ui-model-winners')

    await page.getByRole('button', { name: 'Apply', exact: true }).click()
    const patch = page.getByTestId('model-patch')
    await patch.waitFor({ timeout: 200_000 })
    await expect(patch.textContent()).resolves.toContain('1 region(s) accepted, 0 refused')
    await screenshot(page, 'ui-model-patched')

    // Asked for, the slower winner is filled in like any other.
    await page.getByLabel('also slower than eager').check()
    await page.getByRole('button', { name: 'Fill from runs' }).click()
    await expect
      .poll(() => page.getByLabel(`winner for ${headId}`).inputValue(), { timeout: 30_000 })
      .toContain(join('r-model-slow', 'candidates', 'c0001', 'candidate.py'))
  })
})
