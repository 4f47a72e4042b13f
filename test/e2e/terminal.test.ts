import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshot, screenshotDir } from '../helpers/browser.ts'
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

/** The text xterm has drawn (its DOM renderer's rows). */
const screenText = (page: Page) => page.locator('.xterm-rows').innerText()

async function openTerminal(page: Page): Promise<void> {
  await page.goto(studio.openUrl)
  await page.getByRole('button', { name: 'Toolchains' }).click()
  await page.getByRole('button', { name: 'New terminal' }).click()
  await page.locator('.xterm-rows').waitFor()
  // Wait for the shell's prompt so typed text is not echoed twice as type-ahead.
  await expect.poll(() => screenText(page), { timeout: 20_000 }).toMatch(/[$#%>]\s*$/m)
  await page.locator('.xterm').click()
}

/** Starts recording requestAnimationFrame deltas in the page; the returned function stops and reads them. */
async function recordFrames(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const state = { deltas: [] as number[], last: performance.now(), running: true }
    ;(window as unknown as { frameProbe: typeof state }).frameProbe = state
    const tick = (now: number) => {
      state.deltas.push(now - state.last)
      state.last = now
      if (state.running) requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })
  return () =>
    page.evaluate(() => {
      const state = (window as unknown as { frameProbe: { deltas: number[]; running: boolean } }).frameProbe
      state.running = false
      return state.deltas
    })
}

const percentile = (values: number[], fraction: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0
}

describe('the Toolchains terminal', () => {
  it('runs a typed command in a real shell and shows its output', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await openTerminal(page)
    await page.keyboard.type('echo "sum=$((40+2)) in $(basename $SHELL)"')
    await page.keyboard.press('Enter')
    await expect.poll(() => screenText(page), { timeout: 20_000 }).toMatch(/sum=42 in \w+/)
    await screenshot(page, 'terminal-toolchains')
    await page.close()
  })

  it('stays responsive while a command floods it, and the shell answers afterwards', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await openTerminal(page)
    const lines = 200_000
    // `seq 1 N` prints the numbers 1..N each followed by a newline; xterm receives \r\n per line.
    let characters = 0
    for (let n = 1; n <= lines; n++) characters += String(n).length + 2
    const stopFrames = await recordFrames(page)
    const started = Date.now()
    await page.keyboard.type(`seq 1 ${lines}; echo flood-$((1+1))-done`)
    await page.keyboard.press('Enter')
    await expect.poll(() => screenText(page), { timeout: 120_000, interval: 200 }).toContain('flood-2-done')
    const seconds = (Date.now() - started) / 1000
    const deltas = await stopFrames()
    await page.keyboard.type('echo after-$((2+3))')
    await page.keyboard.press('Enter')
    await expect.poll(() => screenText(page), { timeout: 20_000 }).toContain('after-5')
    await screenshot(page, 'terminal-after-flood')
    const result = {
      characters,
      seconds,
      charactersPerSecond: Math.round(characters / seconds),
      frames: deltas.length,
      frameMsMedian: percentile(deltas, 0.5),
      frameMsP95: percentile(deltas, 0.95),
      frameMsMax: Math.max(...deltas),
    }
    mkdirSync(screenshotDir, { recursive: true })
    writeFileSync(join(screenshotDir, 'terminal-flood.json'), `${JSON.stringify(result, null, 2)}\n`)
    // A frozen UI would show multi-second frames; flow control keeps every frame short.
    expect(result.frameMsP95).toBeLessThan(500)
    await page.close()
  })

  it('adds an SSH host from the view and says plainly when it cannot be reached', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(studio.openUrl)
    await page.getByRole('button', { name: 'Toolchains' }).click()
    await page.getByLabel('Host name').fill('gpu-box')
    await page.getByLabel('SSH destination').fill('127.0.0.1')
    // Port 1 on loopback: nothing listens there, so ssh is refused at once.
    await page.getByLabel('SSH port').fill('1')
    await page.getByRole('button', { name: 'Add host' }).click()
    const hosts = page.getByRole('list', { name: 'Hosts' })
    await expect.poll(() => hosts.innerText(), { timeout: 60_000 }).toMatch(/gpu-box[\s\S]*Cannot reach 127\.0\.0\.1 over SSH/)
    await screenshot(page, 'toolchains-ssh-host')
    await page.close()
  })
})
