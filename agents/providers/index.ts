/**
 * LLM providers: one ModelClient adapter per official client (Ollama, OpenAI-compatible,
 * Anthropic), a manual provider, replay and recording, the per-role router, and the shared
 * retry/idle-timeout/cancellation policy. docs/providers.md describes the behaviour and the
 * cassette format. Hosts get role clients through main/host/providers (host.modelFor(role)).
 */
export * from './anthropic-client.ts'
export * from './cassette.ts'
export * from './collect.ts'
export * from './create-model-client.ts'
export * from './manual-client.ts'
export * from './ollama-client.ts'
export * from './openai-client.ts'
export * from './pricing.ts'
export * from './provider-error.ts'
export * from './recording-client.ts'
export * from './replay-client.ts'
export * from './resilient-stream.ts'
export * from './router.ts'
export * from './types.ts'
