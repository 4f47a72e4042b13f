// Time from `npm start` to the first screen (task list rendered in Chromium), build already done.
// Usage: node scripts/bench-app.mjs [runs]. Prints one line per run and the median.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

const root = join(import.meta.dirname, '..')
const runs = Number(process.argv[2] ?? 3)
const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
const times = []

for (let run = 0; run < runs; run += 1) {
  const started = performance.now()
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, AKG_STUDIO_HOME: mkdtempSync(join(tmpdir(), 'akg-bench-')) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const url = await new Promise((resolve, reject) => {
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
      const match = /ready: (\S+)/.exec(output)
      if (match) resolve(match[1])
    })
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}: ${output}`)))
  })
  const urlAt = performance.now()
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: flags })
  const page = await browser.newPage()
  await page.goto(url)
  await page.getByTestId('task-list').waitFor()
  const screenAt = performance.now()
  times.push(screenAt - started)
  console.log(
    `run ${run + 1}: URL printed after ${((urlAt - started) / 1000).toFixed(2)} s, task list on screen after ${((screenAt - started) / 1000).toFixed(2)} s (browser launch included)`,
  )
  await browser.close()
  process.kill(-child.pid, 'SIGTERM')
}
times.sort((a, b) => a - b)
console.log(`median time to first screen: ${(times[Math.floor(times.length / 2)] / 1000).toFixed(2)} s over ${runs} runs`)
