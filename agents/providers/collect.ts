import type { ModelEvent, TokenUsage } from '../ports/model.ts'

/** A finished call: the answer, its usage (null when the server did not say), and the events seen. */
export interface CollectedAnswer {
  text: string
  usage: TokenUsage | null
  finish: 'stop' | 'length' | 'cancelled' | 'error'
  retries: Array<{ attempt: number; delayMs: number; reason: string }>
}

/**
 * Reads a stream to its end. A `retry` event voids the text so far (the answer restarts), so the
 * text returned is only the final attempt's. `onEvent` sees every event, for live display.
 */
export async function collectAnswer(stream: AsyncIterable<ModelEvent>, onEvent?: (event: ModelEvent) => void): Promise<CollectedAnswer> {
  let text = ''
  let usage: TokenUsage | null = null
  let finish: CollectedAnswer['finish'] = 'error'
  const retries: CollectedAnswer['retries'] = []
  for await (const event of stream) {
    onEvent?.(event)
    if (event.type === 'text-delta') text += event.text
    else if (event.type === 'usage') usage = event.usage
    else if (event.type === 'retry') {
      text = ''
      usage = null
      retries.push({ attempt: event.attempt, delayMs: event.delayMs, reason: event.reason })
    } else if (event.type === 'finish') finish = event.reason
  }
  return { text, usage, finish, retries }
}
