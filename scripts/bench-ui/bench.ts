import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { syntheticRun } from '../../test/fixtures/synthetic-run.ts'
import { launchBrowser } from '../../test/helpers/browser.ts'
import { startStudio } from '../../test/helpers/studio-process.ts'
import { startReplayStudio } from '../../test/e2e/ui-replay-server.ts'
import { until } from '../../test/e2e/ui-wait.ts'

const { values } = parseArgs({
  options: {
    candidates: { type: 'string', default: '200' },
    events: { type: 'string', default: '50000' },
    /** Events per second sent to the UI; a live run's deltas arrive coalesced at ~50 ms, so real rates are far lower. */
    rate: { type: 'string', default: '2500' },
  },
})
const candidates = Number(values.candidates)
const total = Number(values.events)
const rate = Number(values.rate)
/** Events are sent in a burst every this many ms, the way the run engine flushes its coalesced deltas. */
const TICK_MS = 20

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))] ?? NaN

// Cold start as a user gets it: `node scripts/serve.mjs` (build already current) until its URL prints,
// then a fresh Chromium until the first screen (the task list) is drawn.
const coldStart = performance.now()
const served = await startStudio()
const coldServed = performance.now()
const coldBrowser = await launchBrowser()
const coldPage = await coldBrowser.newPage({ viewport: { width: 1600, height: 1000 } })
await coldPage.goto(served.openUrl)
await coldPage.getByTestId('task-list').waitFor()
const coldFirstScreen = performance.now()
await coldBrowser.close()
await served.stop()

const events = syntheticRun({ runId: 'run-bench', candidates, events: total, islands: 4, spacingMs: 1000 / rate, start: Date.now() })
const launchStart = performance.now()
const studio = await startReplayStudio()
const backendReady = performance.now()
const browser = await launchBrowser()
const browserReady = performance.now()
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } })
page.on('pageerror', (error) => console.error('page error:', error.message))
await page.goto(studio.openUrl)
await page.getByTestId('task-list').waitFor()
const firstScreen = performance.now()

// Open the Run view on the first event, then stream the rest at the chosen rate.
studio.emit(events.slice(0, 1))
await page.getByRole('button', { name: 'Runs', exact: true }).click()
await page.getByRole('button', { name: 'run-bench' }).click()
await page.getByTestId('cycle-timeline').waitFor()
// A string, not a function: tsx's name-keeping helper does not exist in the page.
await page.evaluate(`(() => {
  const state = { deltas: [], last: performance.now(), running: true }
  globalThis.frameProbe = state
  const loop = (now) => {
    state.deltas.push(now - state.last)
    state.last = now
    if (state.running) requestAnimationFrame(loop)
  }
  requestAnimationFrame(loop)
})()`)
const streamStart = performance.now()
let sent = 1
const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000))
while (sent < events.length) {
  const due = Math.min(events.length, 1 + Math.floor(((performance.now() - streamStart) / 1000) * rate))
  if (due > sent) {
    studio.emit(events.slice(sent, Math.min(due, sent + perTick * 4)))
    sent = Math.min(due, sent + perTick * 4)
  }
  await new Promise((resolve) => setTimeout(resolve, TICK_MS))
}
await until(page, `document.body.textContent.includes('${events.length} events')`, 120_000).catch(async (error: unknown) => {
  await page.screenshot({ path: 'test-results/bench-ui-failure.png' })
  console.error(await page.locator('.run-header').textContent())
  throw error
})
const streamEnd = performance.now()
const deltas = (await page.evaluate('(() => { globalThis.frameProbe.running = false; return globalThis.frameProbe.deltas.slice(1) })()')) as number[]
const session = await page.context().newCDPSession(page)
await session.send('HeapProfiler.collectGarbage')
const metrics = (await session.send('Performance.enable').then(() => session.send('Performance.getMetrics'))).metrics
const heap = metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? NaN
const sorted = [...deltas].sort((a, b) => a - b)
const result = {
  date: new Date().toISOString().slice(0, 10),
  candidates,
  events: events.length,
  rateEventsPerSecond: rate,
  streamSeconds: Number(((streamEnd - streamStart) / 1000).toFixed(1)),
  frames: deltas.length,
  frameMedianMs: Number(quantile(sorted, 0.5).toFixed(1)),
  frameP95Ms: Number(quantile(sorted, 0.95).toFixed(1)),
  frameMaxMs: Number((sorted.at(-1) ?? NaN).toFixed(1)),
  heapAfterMiB: Number((heap / 2 ** 20).toFixed(1)),
  serveToUrlMs: Math.round(coldServed - coldStart),
  serveLaunchToFirstScreenMs: Math.round(coldFirstScreen - coldStart),
  backendStartMs: Math.round(backendReady - launchStart),
  browserLaunchMs: Math.round(browserReady - backendReady),
  firstScreenMs: Math.round(firstScreen - browserReady),
  launchToFirstScreenMs: Math.round(firstScreen - launchStart),
}
console.log(JSON.stringify(result, null, 2))
await browser.close()
await studio.close()
process.exit(0)
