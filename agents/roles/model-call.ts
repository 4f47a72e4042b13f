import type { UsageTotals } from '../contract/runs.ts'
import type { AgentRole, ChatMessage, TokenUsage } from '../ports/index.ts'
import { ModelError } from '../ports/index.ts'
import type { RunContext } from '../run/context.ts'
import { elapsedMs } from './conductor.ts'

/** Answers longer than this are cut: a runaway model must not fill the disk or the prompt of the next step. */
export const maxAnswerChars = 200_000

export interface ModelCallOptions {
  role: AgentRole
  messages: ChatMessage[]
  /** Where the streamed text goes live: a design-delta or code-delta of this candidate. */
  delta: { type: 'design-delta' | 'code-delta'; candidateId: string } | null
  temperature?: number
}

const addUsage = (totals: UsageTotals, usage: TokenUsage): UsageTotals => ({
  inputTokens: totals.inputTokens + usage.inputTokens,
  outputTokens: totals.outputTokens + usage.outputTokens,
  costUsd: totals.costUsd === null || usage.costUsd === null ? null : totals.costUsd + usage.costUsd,
  calls: totals.calls + 1,
})

/**
 * Streams one model call into the run: deltas coalesced into events, usage recorded, text returned.
 * The call ends at the run's time budget even mid-stream (the stream is aborted, and a client that
 * ignores the abort is left behind), and reading stops at the answer cap instead of draining the stream.
 */
export async function callModel(context: RunContext, options: ModelCallOptions): Promise<string> {
  const binding = context.deps.model(options.role)
  const budgetMs = context.spec.budget.minutes * 60_000
  const remainingMs = budgetMs - elapsedMs(context)
  const outOfTime = () =>
    new ModelError('BUDGET_MINUTES', `The run's ${context.spec.budget.minutes}-minute budget ran out during the ${options.role} call; the call was stopped.`)
  if (remainingMs <= 0) throw outOfTime()
  const call = new AbortController()
  const onRunAbort = () => call.abort(context.signal.reason)
  if (context.signal.aborted) onRunAbort()
  context.signal.addEventListener('abort', onRunAbort, { once: true })
  let expired = false
  let stopWaiting!: (reason: unknown) => void
  const stopped = new Promise<never>((_, reject) => (stopWaiting = reject))
  stopped.catch(() => undefined)
  call.signal.addEventListener('abort', () => stopWaiting(expired ? outOfTime() : new ModelError('PROVIDER_CANCELLED', 'The model call was cancelled.')), {
    once: true,
  })
  const timer = setTimeout(() => {
    expired = true
    call.abort(outOfTime())
  }, remainingMs)
  const stream = binding.client.stream(
    { model: binding.model, messages: options.messages, role: options.role, temperature: options.temperature ?? 0.2 },
    call.signal,
  )
  const iterator = stream[Symbol.asyncIterator]()
  let text = ''
  let usage: TokenUsage | null = null
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), stopped])
      if (next.done) break
      const event = next.value
      if (event.type === 'text-delta') {
        const room = maxAnswerChars - text.length
        const piece = event.text.length > room ? event.text.slice(0, room) : event.text
        text += piece
        if (options.delta) context.recorder.delta(options.delta.type, options.delta.candidateId, piece)
        if (text.length >= maxAnswerChars) break
      } else if (event.type === 'retry') {
        // The provider starts the answer again: what streamed before the retry is void.
        text = ''
      } else if (event.type === 'usage') {
        usage = event.usage
      } else if (event.type === 'finish') {
        if (expired) throw outOfTime()
        if (event.reason === 'cancelled') throw new ModelError('PROVIDER_CANCELLED', 'The model call was cancelled.')
        if (event.reason === 'error') throw new ModelError('PROVIDER_BAD_RESPONSE', event.error ?? 'The model stream ended with an error.')
      }
    }
  } finally {
    clearTimeout(timer)
    context.signal.removeEventListener('abort', onRunAbort)
    // Leaving early (cap, deadline, cancel) closes the provider's connection; a stuck client is not waited for.
    if (!call.signal.aborted) call.abort()
    void Promise.resolve(iterator.return?.()).catch(() => undefined)
  }
  // Providers that report no usage are charged an estimate (4 characters a token) so the token budget
  // still binds. A replay that recorded no usage ran no model: it is charged nothing, not a made-up count.
  const charged =
    usage ??
    (binding.client.replay
      ? { inputTokens: 0, outputTokens: 0, costUsd: null }
      : {
          inputTokens: Math.ceil(options.messages.reduce((sum, message) => sum + message.content.length, 0) / 4),
          outputTokens: Math.ceil(text.length / 4),
          costUsd: null,
        })
  await context.recorder.emit({
    type: 'usage',
    role: options.role,
    model: `${binding.client.provider}:${binding.model}`,
    usage: charged,
    totals: addUsage(context.state.usage, charged),
    ...(binding.client.replay ? { replay: true } : {}),
  })
  return text
}
