import type { AgentRole, ChatMessage, ModelClient, ModelEvent, ModelRequest } from '../ports/model.ts'

/** One request waiting for a person to answer it from their chat window. */
export interface ManualCall {
  id: string
  role: AgentRole | null
  model: string
  messages: ChatMessage[]
}

/**
 * Where manual prompts go and answers come from. The host writes files (the core has no fs):
 * a prompt file (renderManualPrompt) to copy from, and a response file the user saves, or the
 * answer pasted in the UI.
 */
export interface ManualExchange {
  post(call: ManualCall): Promise<{ promptPath: string; responsePath: string }>
  /** Resolves with the answer once it is pasted or saved; rejects when the signal aborts. */
  waitForAnswer(id: string, signal: AbortSignal): Promise<string>
  /** The call ended (answered or cancelled); the exchange may forget it. */
  close(id: string): void
}

/** Renders a request as one document a person can paste into any chat window. */
export function renderManualPrompt(call: ManualCall, responseHint: string): string {
  // A marker no message uses itself: the messages carry their own Markdown headings.
  const sections = call.messages.map((message) => `===== ${message.role} message =====\n\n${message.content.trim()}\n`)
  return [
    `# AKG Studio: manual model call ${call.id}`,
    '',
    `Role: ${call.role ?? 'unassigned'}. Model named in the studio: ${call.model || '(any)'}.`,
    'Paste everything below the line into your chat model, then paste its complete answer back.',
    responseHint,
    '',
    '---',
    '',
    ...sections,
  ].join('\n')
}

/**
 * A provider for people whose only model is a chat window: each request becomes a prompt file,
 * and the call waits, without a timeout, until the answer is pasted in the UI or saved to a file.
 */
export class ManualModelClient implements ModelClient {
  readonly provider: string
  private sequence = 0

  constructor(
    private readonly exchange: ManualExchange,
    options: { name?: string } = {},
  ) {
    this.provider = options.name ?? 'manual'
  }

  async *stream(request: ModelRequest, signal?: AbortSignal): AsyncGenerator<ModelEvent> {
    this.sequence += 1
    const id = `${Date.now().toString(36)}-${this.sequence}-${request.role ?? 'call'}`
    const call: ManualCall = { id, role: request.role ?? null, model: request.model, messages: request.messages }
    const controller = new AbortController()
    const abort = () => controller.abort()
    signal?.addEventListener('abort', abort, { once: true })
    try {
      await this.exchange.post(call)
      const answer = await this.exchange.waitForAnswer(id, controller.signal)
      yield { type: 'text-delta', text: answer }
      yield { type: 'finish', reason: 'stop' }
    } catch (error) {
      if (!signal?.aborted) throw error
      yield { type: 'finish', reason: 'cancelled' }
    } finally {
      signal?.removeEventListener('abort', abort)
      this.exchange.close(id)
    }
  }
}
