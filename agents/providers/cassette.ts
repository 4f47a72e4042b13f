import { z } from 'zod'
import { agentRoles } from '../contract/registry.ts'
import type { ChatMessage } from '../ports/model.ts'

/** The file format version; a reader refuses versions it does not know rather than guess. */
export const CASSETTE_VERSION = 1

const usageSchema = z.object({ inputTokens: z.number().int().nonnegative(), outputTokens: z.number().int().nonnegative(), costUsd: z.number().nullable() })

const callSchema = z.object({
  /** The agent role that made the call; replay matches on it (null when the caller gave none). */
  role: z.enum(agentRoles).nullable(),
  model: z.string(),
  /** sha-256 (hex) of the request's messages, each as [role, content]; checked in strict replay. */
  messagesHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The answer as the model streamed it, chunk by chunk. */
  chunks: z.array(z.string()),
  usage: usageSchema.nullable(),
  finish: z.enum(['stop', 'length']),
})

/** A recorded model session: every completed call, in the order the calls started. docs/providers.md documents it. */
export const cassetteSchema = z.object({
  format: z.literal('akg-cassette'),
  version: z.literal(CASSETTE_VERSION),
  provider: z.string(),
  model: z.string(),
  recordedAt: z.string(),
  calls: z.array(callSchema),
})

export type Cassette = z.infer<typeof cassetteSchema>
export type CassetteCall = z.infer<typeof callSchema>

/** Parses a cassette, with a message that says which field is wrong. */
export function parseCassette(value: unknown, source: string): Cassette {
  const parsed = cassetteSchema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  throw new Error(`${source} is not an AKG cassette (version ${CASSETTE_VERSION}): ${issue?.path.join('.') || '(file)'}: ${issue?.message}`)
}

/** The fingerprint of a request's messages. Web Crypto, so the core needs no Node module. */
export async function hashMessages(messages: ChatMessage[]): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(messages.map((message) => [message.role, message.content])))
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes)
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}
