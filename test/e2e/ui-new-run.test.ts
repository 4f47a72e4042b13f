import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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
const call = (role: string, text: string) => ({
  role,
  model: MODEL,
  messagesHash: '0'.repeat(64),
  chunks: text.match(/[\s\S]{1,80}/g) ?? [],
  usage: { inputTokens: 900, outputTokens: 400, costUsd: null },
  finish: 'stop',
})
const answer = (code: string) => `The kernel:\n\`\`\`python\n${code}\`\`\`\n`
const plan = 'Plan: one OpenMP loop over the flattened tensor with static chunks; keep the loop contiguous so it vectorises.'

let studio: RunningStudio
let browser: Browser
let page: Page
/** The run made from a hand edit; deleted again by a later test. */
let editedRunId = ''
const home = mkdtempSync(join(tmpdir(), 'akg-ui-run-'))

beforeAll(async () => {
  const cassettePath = join(home, 'relu-cpp.cassette.json')
  writeFileSync(
    cassettePath,
    JSON.stringify({
      format: 'akg-cassette',
      version: 1,
      provider: 'ollama',
      model: MODEL,
      recordedAt: '2026-11-21T08:00:00.000Z',
      calls: [
        call('designer', plan),
        call('designer', plan),
        call('coder', answer(broken)),
        call('coder', answer(working)),
        call('fixer', answer(working)),
        call('fixer', answer(working)),
      ],
    }),
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
    // While it runs, the Run view says which step it is in and for how long.
    await page
      .getByTestId('progress-line')
      .filter({ hasText: /c000\d · .* · \d+ s/ })
      .first()
      .waitFor({ timeout: 60_000 })
  })

  it('completes: lanes for the failed candidate and its fix, a passed verdict, a speedup point', async () => {
    await page
      .getByTestId('run-status')
      .filter({ hasText: /completed|failed|stopped/ })
      .waitFor({ timeout: 200_000 })
    await screenshot(page, 'ui-run-real')
    await expect(page.getByTestId('run-status').textContent()).resolves.toMatch(/completed · correct/)
    // Two lanes when the fix lands at once; a busy two-core machine can time a fix out and add one.
    expect(Number(await page.getByTestId('cycle-timeline').getAttribute('data-lanes'))).toBeGreaterThanOrEqual(2)
    await page
      .getByTestId('best-speedup')
      .filter({ hasText: /best \d+\.\d\d× over eager/ })
      .waitFor({ timeout: 5_000 })
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
    await expect(
      panel
        .getByTestId('timing-table')
        .getByRole('row', { name: /^eager/ })
        .textContent(),
    ).resolves.toMatch(/\d+\.\d{4}/)
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
    await page
      .getByTestId('run-status')
      .filter({ hasText: /completed/ })
      .waitFor({ timeout: 30_000 })
    await expect(page.getByTestId('run-status').textContent()).resolves.toMatch(/completed · correct/)
    await expect(rows.filter({ hasText: 'generate' }).count()).resolves.toBe(0)
    expect(await page.getByRole('heading', { level: 1 }).first().textContent()).not.toBe(before)
    await screenshot(page, 'ui-run-fork')
  })

  it('verifies a hand edit of the forked code as a new candidate in a new run', async () => {
    const forkUrl = page.url()
    await page.getByTestId('candidate-table').getByRole('row').filter({ hasText: 'fork' }).getByRole('button').first().click()
    const panel = page.getByTestId('candidate-panel')
    await panel.getByRole('tab', { name: 'Edit' }).click()
    const edit = panel.getByTestId('edit-candidate')
    const verify = edit.getByRole('button', { name: 'Verify as a new candidate' })
    expect(await verify.isDisabled()).toBe(true) // nothing edited yet
    await edit.locator('.cm-content').click()
    // An edit that fails at import (the forked code with a raise appended): the harness must say so
    // for this candidate, not reuse the fork's verdict.
    await page.keyboard.press('Control+a')
    await page.keyboard.insertText(`${working.trimEnd()}\n\nraise RuntimeError("edited by hand")\n`)
    await verify.click()
    await until(page, `location.href !== ${JSON.stringify(forkUrl)} && /#\\/runs\\/[\\w.-]+$/.test(location.href)`, 60_000)
    // The URL changes when the run opens; its title (the run id until then) comes with its log, read just after.
    await until(page, `document.getElementById('run-title')?.textContent.includes(' edited')`, 30_000)
    await expect(page.locator('#run-title').textContent()).resolves.toContain(' edited')
    editedRunId = decodeURIComponent(page.url().split('/').pop() ?? '')
    const rows = page.getByTestId('candidate-table').getByRole('row').filter({ hasText: 'fork' })
    await rows
      .filter({ hasText: /runtime error|compile error|rejected|error/ })
      .first()
      .waitFor({ timeout: 120_000 })
    await expect(rows.filter({ hasText: 'passed' }).count()).resolves.toBe(0)
    await rows.first().getByRole('button').first().click()
    const panel2 = page.getByTestId('candidate-panel')
    // The edited code is what the new run verified, and its verdict carries the edit's own failure.
    const files = readdirSync(join(home, 'runs', editedRunId), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.py'))
    expect(files.some((name) => readFileSync(join(home, 'runs', editedRunId, name), 'utf8').includes('edited by hand'))).toBe(true)
    await panel2.getByRole('tab', { name: 'Verdict' }).click()
    await expect(panel2.getByTestId('verdict').textContent()).resolves.toContain('edited by hand')
    await page
      .getByTestId('run-status')
      .filter({ hasText: /completed|failed|stopped/ })
      .waitFor({ timeout: 200_000 })
    await screenshot(page, 'ui-run-edited')
  })

  it('compares the best of two runs side by side, then deletes a run with its folder', async () => {
    await page.getByRole('button', { name: 'Runs', exact: true }).click()
    const table = page.getByTestId('run-table')
    await table.waitFor()
    await until(page, `document.querySelector('[data-testid="run-count"]')?.textContent.startsWith('3 of 3')`, 30_000)
    const compare = table.getByRole('button', { name: /^Compare the best of / })
    const enabled: number[] = []
    for (let index = 0; index < (await compare.count()); index += 1) if (await compare.nth(index).isEnabled()) enabled.push(index)
    expect(enabled.length).toBeGreaterThanOrEqual(2) // the first run and its fork both have a correct best
    await compare.nth(enabled[0] as number).click()
    await compare.nth(enabled[1] as number).click()
    await page.getByRole('heading', { name: 'Compare' }).waitFor()
    // Each side is read on its own; wait until neither still says it is loading.
    await until(page, `(document.querySelector('[data-testid="compare-table"]')?.textContent ?? 'loading').match(/passed[\\s\\S]*passed/) !== null`)
    const compared = await page.getByTestId('compare-table').textContent()
    expect(compared).toMatch(/passed[\s\S]*passed/)
    // Each side says whether its timing can be trusted, and where its eager baseline came from.
    expect(compared).toMatch(/timing(quiet|noisy)[\s\S]*eager (measured now|cached|re-measured)/)
    await screenshot(page, 'ui-compare-runs')

    await page.getByRole('button', { name: 'Runs', exact: true }).click()
    const edited = await table
      .getByRole('row')
      .filter({ hasText: /edited/ })
      .getByRole('button')
      .first()
      .textContent()
    expect(existsSync(join(home, 'runs', editedRunId))).toBe(true)
    await table.getByRole('button', { name: `Delete ${edited}` }).click()
    await table.getByRole('button', { name: 'Delete run and folder' }).click()
    await until(page, `document.querySelector('[data-testid="run-count"]')?.textContent.startsWith('2 of 2')`, 30_000)
    expect(existsSync(join(home, 'runs', editedRunId))).toBe(false)
  })

  it("lists a task's runs in Tasks and starts New run from it with the task filled in", async () => {
    await page.getByRole('button', { name: 'Tasks', exact: true }).click()
    await page.getByRole('option', { name: '19 ReLU' }).first().click()
    const runs = page.getByTestId('task-runs')
    await runs.getByRole('row').nth(2).waitFor({ timeout: 30_000 })
    expect(await runs.locator('tbody tr').count()).toBe(2)
    expect(await runs.textContent()).toContain('completed')
    await screenshot(page, 'ui-task-runs')
    // Empty the New run field first: "Run this task" fills it again.
    await page.getByRole('button', { name: 'New run', exact: true }).first().click()
    await page.locator('#run-task').fill('')
    await page.getByRole('button', { name: 'Tasks', exact: true }).click()
    await page.getByRole('button', { name: 'Run this task' }).click()
    await page.locator('#run-task').waitFor()
    expect(await page.locator('#run-task').inputValue()).toBe(join(repoRoot, 'resources', 'tasks', 'level1', '19_ReLU.py'))
  })
})
