import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { startStudio, type RunningStudio } from '../helpers/studio-process.ts'
import { repoRoot } from '../helpers/temp-host.ts'

let studio: RunningStudio
let browser: Browser
// A checkout shaped like KernelBench's (KernelBench/levelN/N_Name.py), made of the shipped samples.
const checkout = mkdtempSync(join(tmpdir(), 'akg-kernelbench-ui-'))
const samples = join(repoRoot, 'resources', 'tasks')

beforeAll(async () => {
  for (const [level, files] of [
    ['level1', ['19_ReLU.py', '23_Softmax.py', '1_Square_matrix_multiplication_.py']],
    ['level2', ['12_Gemm_Multiply_LeakyReLU.py']],
  ] as const) {
    mkdirSync(join(checkout, 'KernelBench', level), { recursive: true })
    for (const file of files) copyFileSync(join(samples, level, file), join(checkout, 'KernelBench', level, file))
  }
  studio = await startStudio()
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await studio?.stop()
  rmSync(checkout, { recursive: true, force: true })
})

describe('Tasks: a KernelBench checkout opened as a folder', () => {
  it('lists the levels and problems, and a problem shows its source, shape constants and baselines', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(`${studio.openUrl}#/tasks`)
    await page.getByTestId('task-list').first().waitFor()
    await page.getByLabel('Task file or KernelBench folder path').fill(checkout)
    await page.getByRole('button', { name: 'Open folder' }).click()
    const folder = page.getByTestId('task-folder')
    await folder.waitFor()
    await expect(folder.textContent()).resolves.toContain('4 tasks')
    await folder.getByText('Level 1').click()
    const level1 = folder.getByRole('listbox').first()
    await expect(level1.getByRole('option').allTextContents()).resolves.toEqual(['1 Square matrix multiplication', '19 ReLU', '23 Softmax'])
    await level1.getByRole('option', { name: '23 Softmax' }).click()
    await page.locator('.cm-content').filter({ hasText: 'torch.softmax' }).waitFor()
    await expect(page.getByLabel('Shape constants').textContent()).resolves.toContain('batch_size')
    await expect(page.getByTestId('baselines').textContent()).resolves.toContain('No baseline times yet')
    await screenshot(page, 'ui-tasks-folder')
    await page.reload()
    await page.getByTestId('task-folder').waitFor()
    await page.close()
  })

  it('says what a task folder should hold when the folder has no tasks', async () => {
    const page = await browser.newPage()
    await page.goto(`${studio.openUrl}#/tasks`)
    await page.getByLabel('Task file or KernelBench folder path').fill(studio.dataDir)
    await page.getByRole('button', { name: 'Open folder' }).click()
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/level1\//)
    await page.close()
  })
})
