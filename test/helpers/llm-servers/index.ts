export * from './anthropic-server.ts'
export * from './loopback-server.ts'
export * from './ollama-server.ts'
export * from './openai-server.ts'
