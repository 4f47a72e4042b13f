import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { startStudio, type RunningStudio } from '../helpers/studio-process.ts'
import { repoRoot } from '../helpers/temp-host.ts'
import { until } from './ui-wait.ts'

/** The system interpreter has no torch here: a first start on a machine with no environment set up. */
const SYSTEM_PYTHON = '/usr/bin/python3'
const PROJECT_PYTHON = join(repoRoot, '.venv', 'bin', 'python')
/** Detection, a worker start and a studio build on a shared two-core machine: minutes when it is busy. */
const FIRST_HOUR_TIMEOUT_MS = 10 * 60_000

let studio: RunningStudio
let browser: Browser
let dataDir: string

beforeAll(async () => {
  // A fresh data folder whose only setting points at a Python without torch.
  dataDir = mkdtempSync(join(tmpdir(), 'akg-first-hour-'))
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ python: SYSTEM_PYTHON }))
  studio = await startStudio({ AKG_STUDIO_HOME: dataDir })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await studio?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent()

describe('the first hour', () => {
  it(
    'goes from a fresh data folder with no torch and no model to a verified sample run, then works the run like a workbench',
    async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
      // A shared two-core machine under load answers slowly; these are waits, not measurements.
      page.setDefaultTimeout(90_000)
      page.setDefaultNavigationTimeout(120_000)
      await page.goto(studio.openUrl)

      // 1. No provider and no run: the first-run screen, which says torch is missing and offers the project venv.
      await page.getByRole('heading', { name: 'Start here' }).waitFor()
      expect(page.url()).toMatch(/#\/welcome$/)
      await page.getByTestId('env-panel').waitFor({ timeout: 120_000 })
      await until(page, `document.querySelector('[data-testid="env-panel"]')?.textContent.includes('torch==2.13.0')`, 60_000)
      const offer = await text(page, 'env-panel')
      expect(offer).toContain('cannot import torch')
      expect(offer).toContain('(cpu build')
      expect(offer).toContain('The system Python is not touched')
      expect(await page.getByRole('button', { name: 'Create the project environment' }).isEnabled()).toBe(true)
      await screenshot(page, 'first-hour-welcome')

      // Toolchains offers the same, and never a pip install into the system interpreter.
      await page.getByRole('button', { name: 'Toolchains', exact: true }).click()
      const report = page.getByTestId('toolchain-report')
      await report.waitFor({ timeout: 120_000 })
      const torchRow = await report.getByRole('row', { name: /^torch\b/ }).textContent()
      expect(torchRow).toContain('system Python, which the studio does not install into')
      expect(await report.textContent()).not.toMatch(/python3 -m pip install/)

      // Choosing the environment that has torch takes effect at once: detection and a running worker with a pid.
      await page
        .getByTestId('environments')
        .getByRole('row', { name: new RegExp(PROJECT_PYTHON.replace(/[/.]/g, '\\$&')) })
        .getByRole('button', { name: 'Use' })
        .click()
      await until(page, `document.querySelector('[data-testid="env-status"]')?.textContent.includes('ready')`, 120_000)
      await until(
        page,
        `[...document.querySelectorAll('.worker-table tbody tr')].some((row) => /^(idle|busy|starting)$/.test(row.cells[1]?.textContent ?? '') && /^\\d+$/.test(row.cells[3]?.textContent ?? ''))`,
        120_000,
      )
      await screenshot(page, 'first-hour-toolchains')

      // 2. One click: the sample replays set up a replay provider and start a run this CPU can verify,
      // labelled a replay with no made-up token count. (Its C++ build takes minutes on a busy machine;
      // the run's verdict is covered by cli-run.test.ts and ui-new-run.test.ts.)
      await page.getByRole('button', { name: 'Start here' }).click()
      await page.getByRole('button', { name: 'Start a sample run' }).click()
      await page.locator('#run-title').waitFor()
      // The Run view opens at once, titled with the run id; the title comes with the run's log, read just after.
      await until(page, `document.getElementById('run-title')?.textContent.includes('19_ReLU · cpp · sample replay')`, 60_000)
      expect(await page.locator('#run-title').textContent()).toContain('19_ReLU · cpp · sample replay')
      await until(page, `/#\\/runs\\/[\\w.-]+$/.test(location.href)`, 30_000)
      const runUrl = page.url()
      await page.getByTestId('replay-badge').waitFor()
      await until(page, `document.querySelector('.run-header')?.textContent.includes('no model ran')`, 60_000)
      expect(await page.locator('.run-header').textContent()).not.toMatch(/\d tokens/)
      await screenshot(page, 'first-hour-sample-run')

      // 3. Deep links and history: a reload keeps the run; Back returns to the first-run screen.
      await page.reload()
      await page.locator('#run-title').waitFor()
      expect(page.url()).toBe(runUrl)
      await page.goBack()
      await until(page, `/#\\/welcome$/.test(location.href)`, 10_000)
      await page.getByRole('heading', { name: 'Start here' }).waitFor()
      await page.goForward()
      await until(page, `location.href === ${JSON.stringify(runUrl)}`, 10_000)
      await page.locator('#run-title').waitFor()

      // 4. The command palette (Ctrl+K) and the help overlay (?).
      await page.keyboard.press('Control+k')
      await page.getByRole('dialog', { name: 'Command palette' }).waitFor()
      await page.keyboard.type('go runs')
      await screenshot(page, 'first-hour-palette')
      await page.keyboard.press('Enter')
      await page.getByRole('heading', { name: 'Runs' }).waitFor()
      expect(page.url()).toMatch(/#\/runs$/)
      await page.keyboard.press('?')
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor()
      expect(await text(page, 'shortcut-table')).toContain('Command palette')
      await page.keyboard.press('Escape')
      await until(page, `!document.querySelector('[role="dialog"]')`, 5_000)

      // 5. Runs: the replay is labelled; search and the model filter narrow the list.
      const table = page.getByTestId('run-table')
      await table.waitFor()
      expect(await table.getByText('replay', { exact: true }).count()).toBe(1)
      await page.getByRole('searchbox', { name: 'Search runs' }).fill('no-such-run')
      await until(page, `document.querySelector('[data-testid="run-count"]')?.textContent.startsWith('0 of 1')`, 5_000)
      await page.getByRole('searchbox', { name: 'Search runs' }).fill('')
      await page.getByRole('combobox', { name: 'Filter by model' }).selectOption('samples:hand-written-replay')
      await until(page, `document.querySelector('[data-testid="run-count"]')?.textContent.startsWith('1 of 1')`, 5_000)
      await screenshot(page, 'first-hour-runs')
      await page.getByRole('button', { name: 'Clear' }).click()

      // 6. The file browser in New run: the samples are there, a path outside the allowed folders is refused.
      await page.getByRole('button', { name: 'New run', exact: true }).first().click()
      await page.locator('#run-task').fill('/etc/passwd')
      await page.getByRole('button', { name: 'Browse for a file' }).click()
      await page.getByTestId('file-browser').getByText('FILES_OUTSIDE_ROOTS').waitFor()
      await page.getByRole('combobox', { name: 'Folder to browse' }).selectOption({ label: 'Sample tasks' })
      await page.getByRole('button', { name: /level1/ }).click()
      await page.getByRole('button', { name: /23_Softmax\.py/ }).click()
      expect(await page.locator('#run-task').inputValue()).toBe(join(repoRoot, 'resources', 'tasks', 'level1', '23_Softmax.py'))
      // The task field can be emptied, and stays empty after leaving the view and coming back.
      await page.locator('#run-task').fill('')
      await page.getByRole('button', { name: 'Tasks', exact: true }).click()
      await page.getByRole('button', { name: 'New run', exact: true }).first().click()
      expect(await page.locator('#run-task').inputValue()).toBe('')
      await screenshot(page, 'first-hour-new-run')
      await page.close()
    },
    FIRST_HOUR_TIMEOUT_MS,
  )
})
