import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { startStudio, type RunningStudio } from '../helpers/studio-process.ts'
import { repoRoot } from '../helpers/temp-host.ts'
import { until } from './ui-wait.ts'

// The manual provider stands in for every role: each call is a prompt shown in the run, answered by hand.
const MODEL = 'chat-window'
const relu = join(repoRoot, 'resources', 'tasks', 'level1', '19_ReLU.py')
const plan = 'Plan: one OpenMP loop over the flattened tensor, static schedule, contiguous chunks per thread.'
// A kernel file for Migrate's form (a NumPy ReLU defining ModelNew).
const numpyRelu = readFileSync(join(repoRoot, 'test', 'fixtures', 'cassettes', 'sources', 'relu.numpy.py'), 'utf8')
// Not a KernelBench task (no get_inputs): its batch row cannot start and must say why.
const malformed = 'import torch\n\nclass Model(torch.nn.Module):\n    def forward(self, x):\n        return x\n'

let studio: RunningStudio
let browser: Browser
let page: Page
const home = mkdtempSync(join(tmpdir(), 'akg-ui-workbench-'))
const malformedPath = join(home, 'malformed_task.py')
const kernelPath = join(home, 'relu_kernel.py')

beforeAll(async () => {
  writeFileSync(malformedPath, malformed)
  writeFileSync(kernelPath, numpyRelu)
  writeFileSync(
    join(home, 'providers.json'),
    JSON.stringify({
      providers: [{ name: 'manual', kind: 'manual', baseUrl: null, defaultModel: MODEL, cassettePath: null, manualDir: null }],
      roles: { designer: `manual:${MODEL}`, coder: `manual:${MODEL}`, fixer: `manual:${MODEL}`, conductor: `manual:${MODEL}` },
    }),
  )
  // The malformed task is an opened file, so it is offered in New batch's task list.
  writeFileSync(join(home, 'settings.json'), JSON.stringify({ openedTasks: [malformedPath] }))
  studio = await startStudio({ AKG_STUDIO_HOME: home })
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1500, height: 1000 } })
  // A shared two-core machine under load answers slowly; these are waits, not measurements.
  page.setDefaultTimeout(60_000)
  await page.goto(studio.openUrl)
})
afterAll(async () => {
  await browser?.close()
  await studio?.stop()
  rmSync(home, { recursive: true, force: true })
})

const nav = (name: string) => page.getByRole('button', { name, exact: true }).first().click()

describe('the workbench', () => {
  it('has an SVG favicon that the server serves', async () => {
    const href = await page.locator('link[rel="icon"]').getAttribute('href')
    expect(href).toMatch(/\.svg$/)
    const fetched = await page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]')
      const response = await fetch(link?.href ?? '')
      return { status: response.status, type: response.headers.get('content-type'), body: await response.text() }
    })
    expect(fetched.status).toBe(200)
    expect(fetched.type).toMatch(/^image\/svg\+xml/)
    expect(fetched.body).toContain('<svg')
    await screenshot(page, 'ui-workbench-start')
  })

  it('keeps what was typed in Migrate and New batch when leaving the view and coming back', async () => {
    await nav('Migrate')
    await page.getByLabel('Kernel file (a module defining ModelNew)').fill(kernelPath)
    await page.getByLabel('Reference task (KernelBench format)').fill(relu)
    await nav('Benchmarks')
    await page.getByRole('button', { name: 'New batch…' }).click()
    await page.getByRole('checkbox', { name: /malformed_task/ }).check()
    // Not the default target (cpp on this machine), so coming back to it is memory, not a default.
    await page.getByLabel('DSL', { exact: true }).selectOption('numpy')
    await nav('Tasks')
    await nav('Migrate')
    await expect(page.getByLabel('Kernel file (a module defining ModelNew)').inputValue()).resolves.toBe(kernelPath)
    await expect(page.getByLabel('Reference task (KernelBench format)').inputValue()).resolves.toBe(relu)
    await screenshot(page, 'ui-workbench-migrate-remembered')
    await nav('Benchmarks')
    // Still open, with the same task chosen and the same target.
    await page.getByRole('button', { name: 'Run 1 tasks' }).waitFor()
    expect(await page.getByRole('checkbox', { name: /malformed_task/ }).isChecked()).toBe(true)
    expect(await page.getByRole('checkbox', { name: /L1 19_ReLU/ }).isChecked()).toBe(false)
    await expect(page.getByLabel('DSL', { exact: true }).inputValue()).resolves.toBe('numpy')
    await screenshot(page, 'ui-workbench-batch-remembered')
  })

  it('shows why a batch task did not start, in its row and in the CSV and JSON exports', async () => {
    await until(page, `document.getElementById('bench-model-coder')?.value === 'manual:${MODEL}'`)
    await page.getByRole('button', { name: 'Run 1 tasks' }).click()
    const report = page.getByTestId('bench-report')
    await report.waitFor()
    await report
      .getByText(/· completed$/)
      .first()
      .waitFor({ timeout: 120_000 })
    const row = page.getByTestId('bench-table').getByRole('row').filter({ hasText: 'malformed_task' })
    await row.getByRole('note').waitFor()
    const reason = (await row.getByRole('note').textContent()) ?? ''
    expect(reason).toContain('get_inputs')
    expect(await row.textContent()).toContain('not-started')
    const csvDownload = page.waitForEvent('download')
    await report.getByRole('button', { name: 'Export CSV' }).click()
    const csv = readFileSync(await (await csvDownload).path(), 'utf8')
    const [header, line] = csv.split('\n')
    expect(header?.split(',').at(-1)).toBe('error')
    expect(line).toContain('malformed_task')
    expect(line).toContain('not-started')
    expect(line).toContain('get_inputs')
    const jsonDownload = page.waitForEvent('download')
    await report.getByRole('button', { name: 'Export JSON' }).click()
    const json = JSON.parse(readFileSync(await (await jsonDownload).path(), 'utf8')) as {
      rows: Array<{ taskName: string; runStatus: string; error: string | null }>
    }
    expect(json.rows).toEqual([expect.objectContaining({ taskName: 'malformed_task', runStatus: 'not-started', error: reason })])
    await screenshot(page, 'ui-workbench-batch-error')
  })

  it('tunes a NumPy kernel on the CPU: the session chip and the progress stats count the same evaluations throughout', async () => {
    await nav('Tune')
    const option = await page
      .locator('#tune-task option')
      .evaluateAll((options) => (options as HTMLOptionElement[]).find((o) => o.textContent?.includes('19_ReLU'))?.value)
    expect(option).toBeTruthy()
    await page.locator('#tune-task').selectOption(option!)
    await page.locator('#tune-candidate').fill(kernelPath)
    await page.getByLabel('DSL').selectOption('numpy')
    await page.getByLabel('Evaluations').fill('3')
    await page.getByRole('button', { name: 'Start tuning' }).click()
    const chip = page.getByRole('group', { name: 'Tuning sessions' }).getByRole('button').first()
    const stats = page.getByTestId('tune-evaluated')
    await stats.waitFor({ timeout: 60_000 })
    // The chip says "kernel · N/M · state" and the stats "N / M": sampled while it runs and at the end,
    // both read in one turn of the page (two reads apart could fall on either side of an update).
    await chip.waitFor()
    const counts = async () => {
      const [chipText, statsText] = await page.evaluate(() => [
        document.querySelector('[role="group"][aria-label="Tuning sessions"] button')?.textContent ?? '',
        document.querySelector('[data-testid="tune-evaluated"]')?.textContent ?? '',
      ])
      return { chip: /· (\d+)\/(\d+) ·/.exec(chipText ?? '')?.slice(1), stats: /(\d+)\s*\/\s*(\d+)/.exec(statsText ?? '')?.slice(1), state: chipText ?? '' }
    }
    const deadline = Date.now() + 200_000
    let seen = await counts()
    while (!/finished|failed|cancelled/.test(seen.state) && Date.now() < deadline) {
      expect(seen.chip).toEqual(seen.stats)
      await page.waitForTimeout(250)
      seen = await counts()
    }
    expect(seen.state).toMatch(/finished/)
    expect(seen.chip).toEqual(seen.stats)
    expect(seen.stats).toEqual(['3', '3'])
    expect(await page.getByRole('alert').allTextContents()).toEqual([])
    await page.screenshot({ path: join(repoRoot, 'test-results', 'ui-tune-numpy.png'), fullPage: true })
  })

  it('asks the manual provider inside the run, takes the pasted plan, shows the next prompt, and cancels', async () => {
    await nav('New run')
    await until(page, `document.getElementById('run-model-coder')?.value === 'manual:${MODEL}'`)
    await expect(page.getByLabel('DSL').inputValue()).resolves.toBe('cpp')
    await expect(page.getByLabel('Device or host').inputValue()).resolves.toBe('cpu')
    await page.getByLabel('Task file').fill(relu)
    await page.getByRole('button', { name: 'Start run' }).click()
    // A run starts after its preflight (a child process imports torch and runs the task's reference once).
    const waiting = page.getByTestId('manual-waiting')
    await page.locator('[data-testid="manual-waiting"], [role="alert"]').first().waitFor({ timeout: 120_000 })
    expect(await page.getByRole('alert').allTextContents()).toEqual([])
    await until(page, `document.querySelector('[data-testid="manual-waiting"]')?.textContent.includes('Role: designer')`, 30_000)
    expect(await waiting.getByRole('heading').first().textContent()).toBe('This run waits for your answer (1)')
    const designerPrompt = (await waiting.locator('pre').first().textContent()) ?? ''
    expect(designerPrompt).toContain('torch.relu(x)')
    expect(designerPrompt).not.toContain('Role: coder')
    // While it waits, the progress line names the step: the Designer of the first candidate.
    await page
      .getByTestId('progress-line')
      .filter({ hasText: /c000\d · the Designer is planning · \d+ s/ })
      .waitFor({ timeout: 30_000 })
    await screenshot(page, 'ui-workbench-manual-designer')

    await waiting.locator('textarea').fill(plan)
    await waiting.getByRole('button', { name: 'Send answer' }).click()
    await until(page, `document.querySelector('[data-testid="manual-waiting"]')?.textContent.includes('Role: coder')`, 60_000)
    const coderPrompt = (await waiting.locator('pre').first().textContent()) ?? ''
    // The Coder is handed the plan that was pasted for the Designer.
    expect(coderPrompt).toContain(plan)
    expect(await waiting.locator('pre').count()).toBe(1)
    await page
      .getByTestId('progress-line')
      .filter({ hasText: /c000\d · the model is writing code/ })
      .waitFor({ timeout: 30_000 })
    await screenshot(page, 'ui-workbench-manual-coder')

    await page.getByRole('button', { name: 'Cancel run' }).click()
    await page
      .getByTestId('run-status')
      .filter({ hasText: /cancelled|stopped/ })
      .waitFor({ timeout: 60_000 })
    await waiting.waitFor({ state: 'detached', timeout: 10_000 })
    await page.getByTestId('progress-line').waitFor({ state: 'detached', timeout: 10_000 })
    // Nothing is left waiting anywhere: Settings lists no manual prompt.
    await nav('Settings')
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
    expect(await page.getByRole('heading', { name: /Waiting for your answer/ }).count()).toBe(0)
    await page.goBack()
    await page.getByTestId('run-status').waitFor()
    await screenshot(page, 'ui-workbench-manual-cancelled')
  })
})
