import type { UsageTotals } from '../contract/runs.ts'
import type { AgentRole, ChatMessage, TokenUsage } from '../ports/index.ts'
import { ModelError } from '../ports/index.ts'
import type { RunContext } from '../run/context.ts'

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

/** Streams one model call into the run: deltas coalesced into events, usage recorded, text returned. */
export async function callModel(context: RunContext, options: ModelCallOptions): Promise<string> {
  const binding = context.deps.model(options.role)
  let text = ''
  let usage: TokenUsage | null = null
  const stream = binding.client.stream(
    { model: binding.model, messages: options.messages, role: options.role, temperature: options.temperature ?? 0.2 },
    context.signal,
  )
  for await (const event of stream) {
    if (event.type === 'text-delta') {
      if (text.length >= maxAnswerChars) continue
      text += event.text
      if (options.delta) context.recorder.delta(options.delta.type, options.delta.candidateId, event.text)
    } else if (event.type === 'retry') {
      // The provider starts the answer again: what streamed before the retry is void.
      text = ''
    } else if (event.type === 'usage') {
      usage = event.usage
    } else if (event.type === 'finish') {
      if (event.reason === 'cancelled') throw new ModelError('PROVIDER_CANCELLED', 'The model call was cancelled.')
      if (event.reason === 'error') throw new ModelError('PROVIDER_BAD_RESPONSE', event.error ?? 'The model stream ended with an error.')
    }
  }
  // Providers that report no usage are charged an estimate (4 characters a token) so the token budget
  // still binds. A replay that recorded no usage ran no model: it is charged nothing, not a made-up count.
  const charged = usage ?? (binding.client.replay ? { inputTokens: 0, outputTokens: 0, costUsd: null } : {
    inputTokens: Math.ceil(options.messages.reduce((sum, message) => sum + message.content.length, 0) / 4),
    outputTokens: Math.ceil(text.length / 4),
    costUsd: null,
  })
  await context.recorder.emit({
    type: 'usage', role: options.role, model: `${binding.client.provider}:${binding.model}`, usage: charged, totals: addUsage(context.state.usage, charged),
    ...(binding.client.replay ? { replay: true } : {}),
  })
  return text
}
