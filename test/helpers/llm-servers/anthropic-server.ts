import { sendJson, startLlmServer, type LlmServer, type Protocol } from './loopback-server.ts'

export const ANTHROPIC_MODELS = ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001']

const event = (name: string, value: unknown) => `event: ${name}\ndata: ${JSON.stringify(value)}\n\n`

/**
 * Anthropic's Messages API streaming sequence: message_start, content_block_start, ping,
 * content_block_delta..., content_block_stop, message_delta (stop_reason, usage), message_stop.
 */
export const anthropicProtocol: Protocol = {
  chatPath: '/v1/messages',
  contentType: 'text/event-stream',
  open: (model, usage) => [
    event('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_loopback',
        type: 'message',
        role: 'assistant',
        content: [],
        model,
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: usage.input, output_tokens: 1 },
      },
    }),
    event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', { type: 'ping' }),
  ],
  chunk: (_model, text) => event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
  close: (_model, usage, finish) => [
    event('content_block_stop', { type: 'content_block_stop', index: 0 }),
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: finish === 'length' ? 'max_tokens' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: usage.output },
    }),
    event('message_stop', { type: 'message_stop' }),
  ],
  errorBody: (status, message) => ({
    contentType: 'application/json',
    body: JSON.stringify({
      type: 'error',
      error: {
        type: status === 401 ? 'authentication_error' : status === 429 ? 'rate_limit_error' : status === 404 ? 'not_found_error' : 'api_error',
        message,
      },
    }),
  }),
  authorized: (headers, key) => headers['x-api-key'] === key || headers.authorization === `Bearer ${key}`,
  other(request, response) {
    if (request.path === '/v1/models') {
      sendJson(response, {
        data: ANTHROPIC_MODELS.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' })),
        has_more: false,
        first_id: ANTHROPIC_MODELS[0],
        last_id: ANTHROPIC_MODELS.at(-1),
      })
      return true
    }
    return false
  },
}

export const startAnthropicServer = (options: { apiKey?: string } = {}): Promise<LlmServer> => startLlmServer(anthropicProtocol, options)
