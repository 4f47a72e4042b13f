import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { startStudio, type RunningStudio } from '../helpers/studio-process.ts'
import { repoRoot } from '../helpers/temp-host.ts'
import { until } from './ui-wait.ts'

// A replay provider plays recorded answers (no model runs); the CPU runner and the real harness verify them.
const MODEL = 'qwen2.5-coder:7b'
const cppSource = /const skeleton = `([\s\S]*?)`\n/.exec(readFileSync(join(repoRoot, 'agents', 'dsl', 'cpp', 'index.ts'), 'utf8'))?.[1] ?? ''
const tritonRelu = `import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def relu_kernel(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    x = tl.load(x_ptr + offsets, mask=mask)
    tl.store(y_ptr + offsets, tl.maximum(x, 0.0), mask=mask)


class ModelNew(nn.Module):
    def forward(self, x):
        x = x.contiguous()
        y = torch.empty_like(x)
        n = x.numel()
        relu_kernel[(triton.cdiv(n, 1024),)](x, y, n, BLOCK=1024)
        return y
`
const call = (role: string, text: string) => ({
  role,
  model: MODEL,
  messagesHash: '0'.repeat(64),
  chunks: text.match(/[\s\S]{1,80}/g) ?? [],
  usage: { inputTokens: 900, outputTokens: 400, costUsd: null },
  finish: 'stop',
})
const answer = `The kernel:\n\`\`\`python\n${cppSource}\`\`\`\n`
const plan = 'Plan: port the Triton element-wise kernel to one OpenMP loop with static chunks.'
const relu = join(repoRoot, 'resources', 'tasks', 'level1', '19_ReLU.py')

let studio: RunningStudio
let browser: Browser
let page: Page
const home = mkdtempSync(join(tmpdir(), 'akg-ui-migrate-'))
const kernelPath = join(home, 'relu_triton.py')

beforeAll(async () => {
  writeFileSync(kernelPath, tritonRelu)
  const cassettePath = join(home, 'cassette.json')
  const calls = [1, 2, 3, 4].flatMap(() => [call('designer', plan), call('coder', answer), call('fixer', answer)])
  writeFileSync(
    cassettePath,
    JSON.stringify({ format: 'akg-cassette', version: 1, provider: 'ollama', model: MODEL, recordedAt: '2026-11-21T08:00:00.000Z', calls }),
  )
  writeFileSync(
    join(home, 'providers.json'),
    JSON.stringify({
      providers: [{ name: 'replay', kind: 'replay', baseUrl: null, defaultModel: MODEL, cassettePath }],
      roles: { designer: `replay:${MODEL}`, coder: `replay:${MODEL}`, fixer: `replay:${MODEL}`, conductor: `replay:${MODEL}` },
    }),
  )
  studio = await startStudio({ AKG_STUDIO_HOME: home })
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1500, height: 1000 } })
  await page.goto(studio.openUrl)
})
afterAll(async () => {
  await browser?.close()
  await studio?.stop()
  rmSync(home, { recursive: true, force: true })
})

describe('Migrate and Benchmarks', () => {
  it('detects a Triton kernel file and migrates it to C++ on the CPU in one click, shown in the Run view', async () => {
    await page.getByRole('button', { name: 'Migrate' }).click()
    await page.getByLabel('Kernel file (a module defining ModelNew)').fill(kernelPath)
    await page.getByLabel('Reference task (KernelBench format)').fill(relu)
    await page.getByRole('button', { name: 'Read and detect' }).click()
    await expect(page.getByLabel('Detected DSL').inputValue()).resolves.toBe('triton')
    await expect(page.getByTestId('dsl-evidence').textContent()).resolves.toContain('@triton.jit kernel')
    await until(page, `document.getElementById('migrate-model-coder')?.value === 'replay:${MODEL}'`)
    await page.getByLabel('DSL', { exact: true }).selectOption('cpp')
    await page.getByLabel('Device or host').fill('cpu')
    await screenshot(page, 'ui-migrate')
    await page.getByRole('button', { name: /Migrate Triton → C\+\+/ }).click()
    // A run starts after its preflight (a child process imports torch and runs the task's reference once).
    await page.locator('[data-testid="cycle-timeline"], [role="alert"]').first().waitFor({ timeout: 120_000 })
    expect(await page.getByRole('alert').allTextContents()).toEqual([])
    // The timeline is drawn as soon as the Run view opens; the header's workflow comes with the run's log, read just after.
    await until(page, `document.querySelector('.run-header')?.textContent.includes('migrate')`, 30_000)
    await expect(page.locator('.run-header').textContent()).resolves.toContain('migrate')
    await page
      .getByTestId('run-status')
      .filter({ hasText: /completed|failed|stopped/ })
      .waitFor({ timeout: 240_000 })
    await screenshot(page, 'ui-migrate-run')
    await expect(page.getByTestId('run-status').textContent()).resolves.toMatch(/completed/)
    // The check against the source kernel is not a speedup over eager: one point, the migrated kernel's.
    // Charts and the table redraw at most a few times a second while events stream: wait, then read.
    await page
      .getByTestId('best-speedup')
      .filter({ hasText: /best \d+\.\d\d× over eager/ })
      .waitFor({ timeout: 5_000 })
    await expect(page.getByTestId('best-speedup').textContent()).resolves.toMatch(/best \d+\.\d\d× over eager/)
    await expect(page.getByTestId('candidate-table').getByRole('row').filter({ hasText: 'migrate-source' }).count()).resolves.toBe(1)
  })

  it('runs a batch, shows the table, fast_p and geomeans, and exports CSV and JSON', async () => {
    await page.getByRole('button', { name: 'Benchmarks' }).click()
    await page.getByRole('button', { name: 'New batch…' }).click()
    await page.getByRole('checkbox', { name: /L1 19_ReLU/ }).check()
    await until(page, `document.getElementById('bench-model-coder')?.value === 'replay:${MODEL}'`)
    await page.getByLabel('DSL', { exact: true }).selectOption('cpp')
    await page.getByRole('button', { name: 'Run 1 tasks' }).click()
    const report = page.getByTestId('bench-report')
    await report.waitFor()
    await report
      .getByText(/· completed$/)
      .or(report.getByText(/· failed$/))
      .first()
      .waitFor({ timeout: 240_000 })
    await expect(page.getByTestId('bench-table').getByRole('row').count()).resolves.toBe(2)
    await expect(page.getByTestId('bench-correct').textContent()).resolves.toMatch(/^\d \/ 1$/)
    await page.getByTestId('fast-p-chart').waitFor()
    const download = page.waitForEvent('download')
    await report.getByRole('button', { name: 'Export CSV' }).click()
    const csv = await (await download).path()
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toMatch(/task/i)
    await report.getByText(/Written to/).waitFor()
    await screenshot(page, 'ui-benchmarks')
  })
})
