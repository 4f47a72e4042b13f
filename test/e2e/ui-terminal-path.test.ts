import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { startStudio, type RunningStudio } from '../helpers/studio-process.ts'

let studio: RunningStudio
let browser: Browser
const folder = mkdtempSync(join(tmpdir(), 'akg-ui-path-'))
const other = join(folder, 'other', 'bin')

beforeAll(async () => {
  // A login shell whose profile puts another Python first, as conda init or pyenv do.
  mkdirSync(other, { recursive: true })
  writeFileSync(join(other, 'python'), '#!/bin/sh\necho other python\n')
  chmodSync(join(other, 'python'), 0o755)
  const shell = join(folder, 'profile-shell')
  writeFileSync(shell, `#!/bin/sh\nPATH="${other}:$PATH"\nexport PATH\nshift\nexec /bin/sh "$@"\n`)
  chmodSync(shell, 0o755)
  studio = await startStudio({ SHELL: shell })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await studio?.stop()
  rmSync(folder, { recursive: true, force: true })
})

describe('Toolchains: the terminal and the shell profile', () => {
  it('warns that a new terminal finds another Python first when the shell profile changes PATH', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(studio.openUrl)
    await page.getByRole('button', { name: 'Toolchains', exact: true }).click()
    const warning = page.getByRole('status').filter({ hasText: 'Your shell profile puts another Python first' })
    await warning.waitFor({ timeout: 120_000 })
    const text = (await warning.textContent()) ?? ''
    expect(text).toContain(join(other, 'python'))
    expect(text).toContain('profile changes PATH')
    await screenshot(page, 'ui-terminal-path-warning')
    await page.close()
  })
})
