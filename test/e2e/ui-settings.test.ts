import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { closedPortUrl, OLLAMA_PULLABLE, startLlmServer, ollamaProtocol, type LlmServer } from '../helpers/llm-servers/index.ts'
import { startStudio, type RunningStudio } from '../helpers/studio-process.ts'

let studio: RunningStudio
let browser: Browser
let page: Page
let ollama: LlmServer
const home = mkdtempSync(join(tmpdir(), 'akg-ui-settings-'))

beforeAll(async () => {
  // The one provider points where nothing listens, as on a machine where Ollama is not running.
  const nowhere = await closedPortUrl()
  writeFileSync(
    join(home, 'providers.json'),
    JSON.stringify({ providers: [{ name: 'ollama', kind: 'ollama', baseUrl: nowhere, defaultModel: 'qwen2.5-coder:7b' }], roles: {} }),
  )
  ollama = await startLlmServer(ollamaProtocol)
  studio = await startStudio({ AKG_STUDIO_HOME: home })
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  await page.goto(`${studio.openUrl}#/tasks`)
})
afterAll(async () => {
  await browser?.close()
  await studio?.stop()
  await ollama?.close()
  rmSync(home, { recursive: true, force: true })
})

describe('Settings: providers, pull progress, keys, roles', () => {
  it('says exactly what to do when no model is reachable at first launch', async () => {
    const banner = page.getByTestId('model-banner')
    await banner.waitFor()
    await expect(banner.textContent()).resolves.toMatch(/ollama pull qwen2\.5-coder:7b.*API key.*manual/s)
    await screenshot(page, 'ui-first-run-banner')
  })

  it('points the Ollama provider at a running server, lists its models and the banner goes', async () => {
    await page.getByRole('button', { name: 'Open Settings' }).click()
    const card = page.getByRole('article', { name: 'Provider ollama' })
    await card.getByRole('button', { name: 'Edit' }).click()
    await page.getByLabel('Base URL').fill(ollama.url)
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await card.getByRole('button', { name: 'Test' }).click()
    await card.getByText('reachable', { exact: true }).waitFor()
    await card.getByRole('list', { name: 'Models of ollama' }).getByText('qwen2.5-coder:7b').waitFor()
    await expect(page.getByTestId('model-banner').count()).resolves.toBe(0)
  })

  it('pulls a model with a progress bar that ends in done, and the model is listed after', async () => {
    const card = page.getByRole('article', { name: 'Provider ollama' })
    await card.getByLabel('Pull a model').fill(OLLAMA_PULLABLE)
    await card.getByRole('button', { name: 'Pull' }).click()
    await card.getByTestId('pull-progress').getByText('done').waitFor()
    await card.getByRole('list', { name: 'Models of ollama' }).waitFor()
    await screenshot(page, 'ui-settings-providers')
  })

  it('takes a cloud key once and never shows it again', async () => {
    await page.getByRole('button', { name: 'Add a provider' }).click()
    await page.getByLabel(/^Name/).fill('claude')
    await page.getByLabel('Kind').selectOption('anthropic')
    await page.getByLabel(/^API key/).fill('sk-ant-secret-value-123')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    const card = page.getByRole('article', { name: 'Provider claude' })
    await card.getByText(/key stored/).waitFor()
    await expect(page.content()).resolves.not.toContain('sk-ant-secret-value-123')
    await card.getByRole('button', { name: 'Edit' }).click()
    await expect(page.getByLabel(/^API key/).inputValue()).resolves.toBe('')
  })

  it('saves a model per role that New run then starts from', async () => {
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByLabel('coder model').fill('ollama:qwen2.5-coder:7b')
    await page.getByRole('button', { name: 'Save roles' }).click()
    await page.getByText('Saved.').waitFor()
    await page.getByRole('button', { name: 'New run' }).click()
    await expect(page.getByLabel('coder model').inputValue()).resolves.toBe('ollama:qwen2.5-coder:7b')
  })
})
