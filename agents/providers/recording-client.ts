import type { ModelClient, ModelEvent, ModelRequest, TokenUsage } from '../ports/model.ts'
import { CASSETTE_VERSION, hashMessages, type Cassette, type CassetteCall } from './cassette.ts'

/**
 * Wraps any client and records each completed call into a cassette, in the order calls started
 * (so per-role replay order matches the run's). Retried attempts keep only the final answer;
 * failed or cancelled calls are not recorded. Events pass through unchanged.
 */
export class RecordingModelClient implements ModelClient {
  readonly provider: string
  private readonly slots: Array<CassetteCall | null>
  private readonly recordedAt = new Date().toISOString()

  constructor(
    private readonly inner: ModelClient,
    private readonly labels: { provider?: string; model?: string } = {},
    private readonly options: {
      /** Calls recorded before (a resumed run's cassette), kept first. */
      initial?: CassetteCall[]
      /** Clients of other roles that write into this one's cassette, so a run has one session file. */
      shared?: RecordingModelClient
      /** Called with the whole session after each completed call (to write it to disk as it grows). */
      onCall?: (cassette: Cassette) => void
    } = {},
  ) {
    this.provider = inner.provider
    this.slots = options.shared ? options.shared.slots : [...(options.initial ?? [])]
  }

  /** A client for another role or provider that records into the same session. */
  also(inner: ModelClient): RecordingModelClient {
    return new RecordingModelClient(inner, this.labels, { shared: this, ...(this.options.onCall ? { onCall: this.options.onCall } : {}) })
  }

  async *stream(request: ModelRequest, signal?: AbortSignal): AsyncGenerator<ModelEvent> {
    const slot = this.slots.length
    this.slots.push(null)
    const messagesHash = await hashMessages(request.messages)
    let chunks: string[] = []
    let usage: TokenUsage | null = null
    for await (const event of this.inner.stream(request, signal)) {
      if (event.type === 'text-delta') chunks.push(event.text)
      else if (event.type === 'usage') usage = event.usage
      else if (event.type === 'retry') {
        chunks = []
        usage = null
      } else if (event.type === 'finish' && (event.reason === 'stop' || event.reason === 'length')) {
        this.slots[slot] = { role: request.role ?? null, model: request.model, messagesHash, chunks, usage, finish: event.reason }
        this.options.onCall?.((this.options.shared ?? this).cassette())
      }
      yield event
    }
  }

  /** The session so far, ready to be written as JSON. */
  cassette(): Cassette {
    const calls = this.slots.filter((call): call is CassetteCall => call !== null)
    return {
      format: 'akg-cassette',
      version: CASSETTE_VERSION,
      provider: this.labels.provider ?? (this.options.shared ?? this).inner.provider,
      model: this.labels.model ?? calls[0]?.model ?? '',
      recordedAt: this.recordedAt,
      calls,
    }
  }
}
