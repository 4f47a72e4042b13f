import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
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
/** Three C++ builds and verifications on a shared two-core machine: minutes each when it is busy. */
const FIRST_HOUR_TIMEOUT_MS = 25 * 60_000

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
  it('goes from a fresh data folder with no torch and no model to a verified sample run, then works the run like a workbench', async () => {
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
    await page.getByTestId('environments').getByRole('row', { name: new RegExp(PROJECT_PYTHON.replace(/[/.]/g, '\\$&')) }).getByRole('button', { name: 'Use' }).click()
    await until(page, `document.querySelector('[data-testid="env-status"]')?.textContent.includes('ready')`, 120_000)
    await until(page, `[...document.querySelectorAll('.worker-table tbody tr')].some((row) => /^(idle|busy|starting)$/.test(row.cells[1]?.textContent ?? '') && /^\\d+$/.test(row.cells[3]?.textContent ?? ''))`, 120_000)
    await screenshot(page, 'first-hour-toolchains')

    // 2. One click: the sample replays set up a replay provider and start a run this CPU can verify.
    await page.getByRole('button', { name: 'Start here' }).click()
    await page.getByRole('button', { name: 'Start a sample run' }).click()
    await page.locator('#run-title').waitFor()
    expect(await page.locator('#run-title').textContent()).toContain('19_ReLU · cpp · sample replay')
    expect(page.url()).toMatch(/#\/runs\/[\w.-]+/)
    const runUrl = page.url()
    await until(page, `document.querySelector('[data-testid="run-status"]')?.textContent.startsWith('completed')`, 420_000)
    const header = await page.locator('.run-header').textContent()
    expect(header).toContain('replay')
    expect(header).toContain('replayed answers, no model ran')
    expect(header).not.toMatch(/\d tokens/)
    await screenshot(page, 'first-hour-sample-run')

    // 3. A second sample run works too: the replay provider is not used up.
    await page.getByRole('button', { name: 'Start here' }).click()
    await page.getByRole('button', { name: 'Start a sample run' }).click()
    await until(page, `location.href !== ${JSON.stringify(runUrl)} && /#\\/runs\\//.test(location.href)`, 30_000)
    await until(page, `/^(completed|running)/.test(document.querySelector('[data-testid="run-status"]')?.textContent ?? '')`, 30_000)
    const secondUrl = page.url()
    await until(page, `document.querySelector('[data-testid="run-status"]')?.textContent.startsWith('completed')`, 420_000)

    // 4. Deep links and history: reload keeps the run, Back returns to the first run.
    await page.reload()
    await page.locator('#run-title').waitFor()
    expect(page.url()).toBe(secondUrl)
    await until(page, `document.querySelector('[data-testid="run-status"]')?.textContent.startsWith('completed')`, 30_000)
    await page.goBack()
    await until(page, `location.href === ${JSON.stringify(runUrl)}`, 10_000)
    await until(page, `document.querySelector('[data-testid="run-status"]')?.textContent.startsWith('completed')`, 30_000)
    await page.goForward()
    await until(page, `location.href === ${JSON.stringify(secondUrl)}`, 10_000)

    // 5. The command palette (Ctrl+K) and the help overlay (?).
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

    // 6. Runs: labelled replays, search, filters and delete with its folder.
    const table = page.getByTestId('run-table')
    expect(await table.getByText('replay', { exact: true }).count()).toBe(2)
    await page.getByRole('searchbox', { name: 'Search runs' }).fill('no-such-run')
    await until(page, `document.querySelector('[data-testid="run-count"]')?.textContent.startsWith('0 of 2')`, 5_000)
    await page.getByRole('searchbox', { name: 'Search runs' }).fill('')
    await page.getByRole('combobox', { name: 'Filter by model' }).selectOption('samples:hand-written-replay')
    await until(page, `document.querySelector('[data-testid="run-count"]')?.textContent.startsWith('2 of 2')`, 5_000)
    await page.getByRole('button', { name: 'Clear' }).click()
    await screenshot(page, 'first-hour-runs')
    const runsBefore = readdirSync(join(dataDir, 'runs'))
    expect(runsBefore).toHaveLength(2)
    await table.getByRole('button', { name: /^Delete / }).first().click()
    await page.getByRole('button', { name: 'Delete run and folder' }).click()
    await until(page, `document.querySelector('[data-testid="run-count"]')?.textContent.startsWith('1 of 1')`, 10_000)
    expect(readdirSync(join(dataDir, 'runs'))).toHaveLength(1)

    // 7. Edit the correct candidate and verify it as a new candidate (a fork, through the harness).
    await page.getByTestId('run-table').getByRole('button', { name: /sample replay/ }).click()
    await page.locator('#run-title').waitFor()
    const passed = page.getByTestId('candidate-table').locator('tbody tr').filter({ hasText: 'passed' }).first()
    await passed.waitFor({ timeout: 20_000 })
    await passed.getByRole('button').click()
    await page.getByRole('tab', { name: 'Edit' }).click()
    await page.getByTestId('code-editor').waitFor()
    await page.locator('[data-testid="code-editor"] .cm-content').click()
    await page.keyboard.press('Control+End')
    await page.keyboard.type('\n# checked by hand\n')
    await page.getByRole('button', { name: 'Open in external editor' }).click()
    await until(page, `document.querySelector('[data-testid="edit-candidate"]')?.textContent.includes('Open this file in your editor: ')`, 10_000)
    await screenshot(page, 'first-hour-edit')
    await page.getByRole('button', { name: 'Verify as a new candidate' }).click()
    await until(page, `document.querySelector('#run-title')?.textContent.includes('edited')`, 30_000)
    await until(page, `document.querySelector('[data-testid="run-status"]')?.textContent.startsWith('completed')`, 420_000)
    const forked = await page.locator('.run-header').textContent()
    expect(forked).toContain('completed')
    await screenshot(page, 'first-hour-edited-verified')

    // 8. The file browser in New run: the samples are there, a path outside the allowed folders is refused.
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
  }, FIRST_HOUR_TIMEOUT_MS)
})
