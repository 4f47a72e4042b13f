import { sendJson, startLlmServer, type LlmServer, type Protocol } from './loopback-server.ts'

export const OPENAI_MODELS = ['Qwen/Qwen2.5-Coder-7B-Instruct', 'deepseek-chat']

const event = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`
const base = (model: string) => ({ id: 'chatcmpl-loopback', object: 'chat.completion.chunk', created: 1_700_000_000, model })

/** OpenAI's chat completions as vLLM, LM Studio and llama.cpp serve them: SSE with [DONE], /v1/models. */
export const openAiProtocol: Protocol = {
  chatPath: '/v1/chat/completions',
  contentType: 'text/event-stream',
  open: (model) => [event({ ...base(model), choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })],
  chunk: (model, text) => event({ ...base(model), choices: [{ index: 0, delta: { content: text }, finish_reason: null }] }),
  close: (model, usage, finish) => [
    event({ ...base(model), choices: [{ index: 0, delta: {}, finish_reason: finish }] }),
    event({ ...base(model), choices: [], usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } }),
    'data: [DONE]\n\n',
  ],
  errorBody: (status, message) => ({
    contentType: 'application/json',
    body: JSON.stringify({
      error: { message, type: status === 401 ? 'invalid_request_error' : 'server_error', code: status === 401 ? 'invalid_api_key' : null },
    }),
  }),
  authorized: (headers, key) => headers.authorization === `Bearer ${key}`,
  other(request, response) {
    if (request.path === '/v1/models') {
      sendJson(response, { object: 'list', data: OPENAI_MODELS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'loopback' })) })
      return true
    }
    return false
  },
}

export const startOpenAiServer = (options: { apiKey?: string } = {}): Promise<LlmServer> => startLlmServer(openAiProtocol, options)
