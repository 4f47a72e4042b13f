import { sendJson, startLlmServer, type LlmServer, type Protocol } from './loopback-server.ts'

/** Models the fake Ollama has "installed"; a chat for any other model gets Ollama's 404. */
export const OLLAMA_MODELS = ['qwen2.5-coder:7b', 'llama3.1:8b']
/** The only name /api/pull knows; others get Ollama's "file does not exist" line. */
export const OLLAMA_PULLABLE = 'qwen2.5-coder:1.5b'

const line = (value: unknown) => `${JSON.stringify(value)}\n`
const now = () => new Date().toISOString()

/** Ollama's REST API as the real server speaks it: NDJSON streams on /api/chat and /api/pull, /api/tags. */
export const ollamaProtocol: Protocol = {
  chatPath: '/api/chat',
  contentType: 'application/x-ndjson',
  open: () => [],
  chunk: (model, text) => line({ model, created_at: now(), message: { role: 'assistant', content: text }, done: false }),
  close: (model, usage, finish) => [
    line({
      model,
      created_at: now(),
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: finish,
      total_duration: 1_000_000,
      load_duration: 10_000,
      prompt_eval_count: usage.input,
      eval_count: usage.output,
    }),
  ],
  errorBody: (_status, message) => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify({ error: message }) }),
  authorized: (headers, key) => headers.authorization === `Bearer ${key}`,
  other(request, response) {
    if (request.path === '/api/tags') {
      sendJson(response, {
        models: OLLAMA_MODELS.map((name) => ({
          name,
          model: name,
          modified_at: now(),
          size: 4_683_087_332,
          digest: 'dae161e27b0e',
          details: { format: 'gguf', family: 'qwen2', families: ['qwen2'], parameter_size: '7.6B', quantization_level: 'Q4_K_M' },
        })),
      })
      return true
    }
    if (request.path === '/api/pull') {
      // ollama-js sends the name as `name`, the API documents `model`; the real server takes both.
      const body = request.body as { model?: string; name?: string }
      const model = body.model ?? body.name
      response.writeHead(200, { 'content-type': 'application/x-ndjson' })
      if (model !== OLLAMA_PULLABLE) {
        response.end(line({ status: 'pulling manifest' }) + line({ error: 'pull model manifest: file does not exist' }))
        return true
      }
      const total = 1_000_000
      response.write(line({ status: 'pulling manifest' }))
      for (const completed of [0, 250_000, 750_000, total])
        response.write(line({ status: 'pulling 60e05f210007', digest: 'sha256:60e05f210007', total, completed }))
      response.end(line({ status: 'verifying sha256 digest' }) + line({ status: 'writing manifest' }) + line({ status: 'success' }))
      return true
    }
    if (request.path === '/api/chat') {
      const model = (request.body as { model?: string }).model ?? ''
      if (!OLLAMA_MODELS.includes(model)) {
        response.writeHead(404, { 'content-type': 'application/json; charset=utf-8' })
        response.end(JSON.stringify({ error: `model "${model}" not found, try pulling it first` }))
        return true
      }
    }
    return false
  },
}

export const startOllamaServer = (): Promise<LlmServer> => startLlmServer(ollamaProtocol)
