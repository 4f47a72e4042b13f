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
const relu = readFileSync(join(repoRoot, 'agents', 'dsl', 'cpp', 'index.ts'), 'utf8')
const working = /const skeleton = `([\s\S]*?)`\n/.exec(relu)?.[1] ?? ''
// The first answer does not compile: the Fixer's answer is then shown as a diff against it.
const broken = working.replace('out[i] = in[i] > 0.f ? in[i] : 0.f;', 'out[i] = in[i] > 0.f ? in[i] : zero;')
const call = (role: string, text: string) => ({ role, model: MODEL, messagesHash: '0'.repeat(64), chunks: text.match(/[\s\S]{1,80}/g) ?? [], usage: { inputTokens: 900, outputTokens: 400, costUsd: null }, finish: 'stop' })
const answer = (code: string) => `The kernel:\n\`\`\`python\n${code}\`\`\`\n`
const plan = 'Plan: one OpenMP loop over the flattened tensor with static chunks; keep the loop contiguous so it vectorises.'

let studio: RunningStudio
let browser: Browser
let page: Page
const home = mkdtempSync(join(tmpdir(), 'akg-ui-run-'))

beforeAll(async () => {
  const cassettePath = join(home, 'relu-cpp.cassette.json')
  writeFileSync(cassettePath, JSON.stringify({
    format: 'akg-cassette', version: 1, provider: 'ollama', model: MODEL, recordedAt: '2026-11-21T08:00:00.000Z',
    calls: [call('designer', plan), call('designer', plan), call('coder', answer(broken)), call('coder', answer(working)), call('fixer', answer(working)), call('fixer', answer(working))],
  }))
  writeFileSync(join(home, 'providers.json'), JSON.stringify({
    providers: [{ name: 'replay', kind: 'replay', baseUrl: null, defaultModel: MODEL, cassettePath }],
    roles: { designer: `replay:${MODEL}`, coder: `replay:${MODEL}`, fixer: `replay:${MODEL}`, conductor: `replay:${MODEL}` },
  }))
  studio = await startStudio({ AKG_STUDIO_HOME: home })
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } })
  await page.goto(studio.openUrl)
})
afterAll(async () => {
  await browser?.close()
  await studio?.stop()
  rmSync(home, { recursive: true, force: true })
})

describe('a run started from New run, watched to the end in the Run view', () => {
  it('starts with the defaults for a machine without a GPU: cpp on the CPU, models from Settings', async () => {
    await page.getByRole('button', { name: 'New run' }).click()
    await expect(page.getByLabel('DSL').inputValue()).resolves.toBe('cpp')
    await expect(page.getByLabel('Device or host').inputValue()).resolves.toBe('cpu')
    // The roles saved in Settings arrive from the backend just after launch.
    await until(page, `document.getElementById('run-model-coder')?.value === 'replay:${MODEL}'`)
    await page.getByLabel('Task file').fill(join(repoRoot, 'resources', 'tasks', 'level1', '19_ReLU.py'))
    await screenshot(page, 'ui-new-run')
    await page.getByRole('button', { name: 'Start run' }).click()
    // Either the Run view opens or New run says why not; the message makes a failure readable.
    // A run starts after its preflight (a child process imports torch and runs the task's reference once).
    await page.locator('[data-testid="cycle-timeline"], [role="alert"]').first().waitFor({ timeout: 120_000 })
    expect(await page.getByRole('alert').allTextContents()).toEqual([])
  })

  it('completes: lanes for the failed candidate and its fix, a passed verdict, a speedup point', async () => {
    await page.getByTestId('run-status').filter({ hasText: /completed|failed|stopped/ }).waitFor({ timeout: 200_000 })
    await screenshot(page, 'ui-run-real')
    await expect(page.getByTestId('run-status').textContent()).resolves.toMatch(/completed · correct/)
    // Two lanes when the fix lands at once; a busy two-core machine can time a fix out and add one.
    expect(Number(await page.getByTestId('cycle-timeline').getAttribute('data-lanes'))).toBeGreaterThanOrEqual(2)
    await page.getByTestId('best-speedup').filter({ hasText: /best \d+\.\d\d× over eager/ }).waitFor({ timeout: 5_000 })
    const rows = page.getByTestId('candidate-table').getByRole('row')
    // The table redraws at most every 300 ms while events stream, so it may lag the status badge.
    await rows.filter({ hasText: 'passed' }).filter({ hasText: 'fix' }).first().waitFor({ timeout: 5_000 })
    await expect(rows.filter({ hasText: 'compile error' }).count()).resolves.toBe(1)
    await expect(rows.filter({ hasText: 'passed' }).filter({ hasText: 'fix' }).count()).resolves.toBe(1)
  })

  it('shows the fix as a diff against its parent, with the harness verdict and timing', async () => {
    await page.getByTestId('candidate-table').getByRole('row').filter({ hasText: 'passed' }).getByRole('button').click()
    const panel = page.getByTestId('candidate-panel')
    const diff = panel.getByTestId('code-diff')
    await diff.waitFor()
    await expect(diff.locator('.cm-changedLine').count()).resolves.toBeGreaterThan(0)
    await screenshot(page, 'ui-run-real-diff')
    await panel.getByRole('tab', { name: 'Verdict' }).click()
    await expect(panel.getByTestId('verdict').textContent()).resolves.toMatch(/passed/)
    await panel.getByRole('tab', { name: 'Timing' }).click()
    await expect(panel.getByTestId('timing-table').getByRole('row', { name: /^eager/ }).textContent()).resolves.toMatch(/\d+\.\d{4}/)
    await screenshot(page, 'ui-run-real-timing')
  })

  it('opens the Profile view of the passed candidate against its baselines', async () => {
    await page.getByTestId('candidate-panel').getByRole('button', { name: 'Profile' }).click()
    await page.getByRole('heading', { name: /Profile of/ }).waitFor()
    await page.getByTestId('latency-spread').waitFor()
    await screenshot(page, 'ui-profile')
  })

  it('forks a new run from the passed candidate, which is verified again and shown', async () => {
    const before = await page.getByRole('heading', { level: 1 }).first().textContent()
    await page.getByRole('button', { name: 'Back to the run' }).click()
    await page.getByTestId('candidate-panel').getByRole('button', { name: 'Fork from here' }).click()
    // Fork offers the workflow, budget and coder model first, as `akg fork` does.
    const options = page.getByRole('form', { name: /^Fork from / })
    await expect(options.getByLabel('Workflow').inputValue()).resolves.toBe('single')
    await options.getByLabel('Candidates').fill('3')
    await options.getByRole('button', { name: 'Start the fork' }).click()
    const rows = page.getByTestId('candidate-table').getByRole('row')
    // The new run's only candidate is the forked code, re-verified by the harness.
    await rows.filter({ hasText: 'fork' }).filter({ hasText: 'passed' }).first().waitFor({ timeout: 120_000 })
    await page.getByTestId('run-status').filter({ hasText: /completed/ }).waitFor({ timeout: 30_000 })
    await expect(page.getByTestId('run-status').textContent()).resolves.toMatch(/completed · correct/)
    await expect(rows.filter({ hasText: 'generate' }).count()).resolves.toBe(0)
    expect(await page.getByRole('heading', { level: 1 }).first().textContent()).not.toBe(before)
    await screenshot(page, 'ui-run-fork')
  })
})
