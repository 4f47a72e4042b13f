import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syntheticRun } from '../fixtures/synthetic-run.ts'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { startReplayStudio, type ReplayStudio } from './ui-replay-server.ts'

// A recorded-style run streamed through the real backend's run-event path (a replay: no model, no kernel).
let studio: ReplayStudio
let browser: Browser
let page: Page
const events = syntheticRun({ runId: 'run-replay', candidates: 24, events: 1_500, islands: 3, seed: 11, start: Date.now() - 60_000 })

beforeAll(async () => {
  studio = await startReplayStudio()
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } })
  await page.goto(`${studio.openUrl}#/tasks`)
  await page.getByTestId('task-list').waitFor()
})
afterAll(async () => {
  await browser?.close()
  await studio?.close()
})

describe('the Run view, fed by live run events', () => {
  it('draws a lane per candidate, the speedup chart and the conductor decisions as the run streams in', async () => {
    studio.emit(events.slice(0, 1))
    await page.getByRole('button', { name: 'Runs', exact: true }).click()
    await page.getByRole('button', { name: 'run-replay' }).click()
    await page.getByTestId('cycle-timeline').waitFor()
    for (let index = 1; index < events.length; index += 100) studio.emit(events.slice(index, index + 100))
    await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor()
    await expect(page.getByTestId('cycle-timeline').getAttribute('data-lanes')).resolves.toBe('24')
    await expect(page.getByText(`${events.length} events`).count()).resolves.toBe(1)
    // The speedup chart redraws at most every 250 ms, so it may lag the status badge.
    await page
      .getByTestId('best-speedup')
      .filter({ hasText: /best \d+\.\d\d× over eager/ })
      .waitFor({ timeout: 5_000 })
    await expect(page.getByTestId('best-speedup').textContent()).resolves.toMatch(/best \d+\.\d\d× over eager/)
    const decisions = page.getByTestId('conductor-decisions').getByRole('listitem')
    expect(await decisions.count()).toBe(24)
    await expect(page.getByTestId('lineage-graph').isVisible()).resolves.toBe(true)
    await screenshot(page, 'ui-run-view')
    await page.getByTestId('lineage-graph').scrollIntoViewIfNeeded()
    await screenshot(page, 'ui-run-lineage')
  })

  it('opens a failed candidate from the table with its verdict: status, error stage and every check', async () => {
    const failedRow = page
      .getByTestId('candidate-table')
      .getByRole('row')
      .filter({ hasText: /incorrect|compile error/ })
      .first()
    await failedRow.getByRole('button').click()
    const panel = page.getByTestId('candidate-panel')
    await panel.getByRole('tab', { name: 'Verdict' }).click()
    const verdict = panel.getByTestId('verdict')
    await expect(verdict.textContent()).resolves.toMatch(/(correctness|build): /)
    await expect(verdict.getByText(/outputs_match|No check ran/).count()).resolves.toBe(1)
    await screenshot(page, 'ui-run-candidate-verdict')
  })

  it('opens a passed candidate by keyboard and shows its timing against eager and torch.compile', async () => {
    const passedRow = page.getByTestId('candidate-table').getByRole('row').filter({ hasText: 'passed' }).first()
    await passedRow.getByRole('button').focus()
    await page.keyboard.press('Enter')
    const panel = page.getByTestId('candidate-panel')
    await panel.getByRole('tab', { name: 'Timing' }).click()
    const table = panel.getByTestId('timing-table')
    await expect(table.getByRole('row', { name: /^eager/ }).textContent()).resolves.toMatch(/1\.8000/)
    await expect(panel.textContent()).resolves.toMatch(/over torch\.compile \(ratio of medians\)/)
  })

  it('reads in the light theme too: charts and lanes follow it', async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click()
    await page.getByRole('radio', { name: 'light' }).check()
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await page.getByTestId('cycle-timeline').waitFor()
    await expect(page.evaluate('document.documentElement.dataset.theme')).resolves.toBe('light')
    await screenshot(page, 'ui-run-view-light')
    await page.getByRole('button', { name: 'Settings', exact: true }).click()
    await page.getByRole('radio', { name: 'dark' }).check()
  })
})
