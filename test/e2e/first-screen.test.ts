import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { startStudio, type RunningStudio } from '../helpers/studio-process.ts'

let studio: RunningStudio
let browser: Browser

beforeAll(async () => {
  studio = await startStudio()
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await studio?.stop()
})

describe('browser mode, first screen', () => {
  it('prints a loopback URL with a token', () => {
    expect(studio.openUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/)
  })

  it('shows the task list and a task source from this machine', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } })
    await page.goto(`${studio.openUrl}#/tasks`)
    await page.getByTestId('task-list').waitFor()
    await expect(page.getByRole('option', { name: /Softmax/ }).count()).resolves.toBe(1)
    await page.getByRole('option', { name: /Softmax/ }).click()
    await page.locator('.cm-content').filter({ hasText: 'torch.softmax' }).waitFor()
    expect(await page.getByText('batch_size').count()).toBeGreaterThan(0)
    await expect(page.getByTestId('connection').textContent()).resolves.toContain('browser mode · open')
    await screenshot(page, 'first-screen-tasks')
    await page.close()
  })

  it('shows the toolchain report with real versions from this machine', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } })
    await page.goto(studio.openUrl)
    await page.getByRole('button', { name: 'Toolchains' }).click()
    const report = page.getByTestId('toolchain-report')
    await report.waitFor({ timeout: 90_000 })
    const torchRow = report.getByRole('row', { name: /^torch\b/ })
    // The project venv has torch 2.13.0 (CPU); the report must say so, not a placeholder.
    await expect(torchRow.textContent()).resolves.toMatch(/2\.13\.0/)
    await expect(report.getByRole('row', { name: /^npu-smi\b/ }).textContent()).resolves.toMatch(/missing/)
    await screenshot(page, 'first-screen-toolchains')
    await page.close()
  })

  it('refuses the page without the token', async () => {
    const page = await browser.newPage()
    const response = await page.goto(studio.openUrl.replace(/\?token=.*/, ''))
    expect(response?.status()).toBe(401)
    await page.close()
  })
})
