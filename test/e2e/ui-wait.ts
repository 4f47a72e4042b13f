import type { Page } from 'playwright-core'

/** How often the page is asked again. */
const POLL_MS = 100

/**
 * Waits until an expression is true in the page. page.waitForFunction compiles its predicate
 * with eval, which the studio's Content Security Policy refuses; a DevTools evaluate is not eval.
 */
export async function until(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await page.evaluate(expression)) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${expression}`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}
