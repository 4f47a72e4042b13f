import type { ModelClient, ModelEvent, ModelRequest } from '../ports/index.ts'

/** One scripted answer: text, or a function of the request (so a test can answer by role or prompt). */
export type ScriptedAnswer = string | ((request: ModelRequest) => string)

/**
 * A ModelClient that answers from a script, in order, for unit tests of the loop. It streams each
 * answer in small deltas and reports usage, like a real provider; an exhausted script is an error.
 */
export class ScriptedModel implements ModelClient {
  readonly provider = 'scripted'
  readonly requests: ModelRequest[] = []
  private index = 0

  constructor(
    private readonly answers: ScriptedAnswer[] | ((request: ModelRequest, index: number) => string),
    private readonly tokensPerCall = 100,
  ) {}

  async *stream(request: ModelRequest, signal?: AbortSignal): AsyncIterable<ModelEvent> {
    this.requests.push(request)
    const index = this.index++
    let text: string
    if (typeof this.answers === 'function') text = this.answers(request, index)
    else {
      const answer = this.answers[index]
      if (answer === undefined) throw new Error(`ScriptedModel: no answer scripted for call ${index + 1} (${request.role})`)
      text = typeof answer === 'function' ? answer(request) : answer
    }
    for (let offset = 0; offset < text.length; offset += 40) {
      if (signal?.aborted) {
        yield { type: 'finish', reason: 'cancelled' }
        return
      }
      yield { type: 'text-delta', text: text.slice(offset, offset + 40) }
    }
    yield { type: 'usage', usage: { inputTokens: this.tokensPerCall / 2, outputTokens: this.tokensPerCall / 2, costUsd: null } }
    yield { type: 'finish', reason: 'stop' }
  }
}
