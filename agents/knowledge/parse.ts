import type { z } from 'zod'
import { KnowledgeDocumentError, parseFrontMatter } from './front-matter.ts'
import { estimateTokens, knowledgeMetadataSchema, type KnowledgeDocument, type KnowledgeOrigin } from './metadata.ts'

/** A body shorter than this is a placeholder, not a document worth a place in a prompt. */
const MINIMUM_BODY_CHARACTERS = 80

/**
 * Parses and validates one document. Throws KnowledgeDocumentError naming the file, the field
 * and its line, with a sentence that says what to write instead.
 */
export function parseKnowledgeDocument(text: string, file: string, origin: KnowledgeOrigin = 'shipped'): KnowledgeDocument {
  const { fields, body, bodyLine } = parseFrontMatter(text, file)
  const raw = Object.fromEntries([...fields].map(([key, field]) => [key, field.value]))
  const parsed = knowledgeMetadataSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue
    const field = issue.path.length > 0 ? String(issue.path[0]) : fieldOfUnknownKey(issue)
    throw new KnowledgeDocumentError(file, describeIssue(issue, raw), field, field ? (fields.get(field)?.line ?? null) : null)
  }
  if (body.length < MINIMUM_BODY_CHARACTERS) {
    throw new KnowledgeDocumentError(
      file,
      `the body after the front matter is ${body.length} characters; a document needs real content (at least ${MINIMUM_BODY_CHARACTERS}).`,
      null,
      bodyLine,
    )
  }
  const measured = estimateTokens(body)
  return { ...parsed.data, body, tokenCount: Math.max(measured, parsed.data.tokens ?? 0), file, origin }
}

function fieldOfUnknownKey(issue: z.core.$ZodIssue): string | null {
  if (issue.code === 'unrecognized_keys') return issue.keys[0] ?? null
  return null
}

function describeIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>): string {
  const field = issue.path[0]
  const given = field !== undefined ? raw[String(field)] : undefined
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}; the fields are id, title, dsl, hardware, operators, stage, priority, tokens, summary.`
    case 'invalid_value':
      return `${JSON.stringify(given)} is not allowed; use one of ${issue.values.map(String).join(', ')}.`
    case 'invalid_union': {
      const options = allowedValues(issue)
      if (!options) return `${JSON.stringify(given)} is not a valid value: ${issue.message}.`
      const wrong = Array.isArray(given) ? given.filter((item) => !options.includes(String(item))) : [given]
      return `${wrong.map((item) => JSON.stringify(item)).join(', ')} ${wrong.length > 1 ? 'are' : 'is'} not allowed; use one of ${options.join(', ')}, or a list of them like [${options.slice(0, 2).join(', ')}].`
    }
    case 'invalid_type':
      return given === undefined ? 'the field is required.' : `expected ${issue.expected}, found ${JSON.stringify(given)}.`
    default:
      return `${JSON.stringify(given)}: ${issue.message}.`
  }
}

/** The enumeration behind a one-or-many field, found in the first branch of its union that lists values. */
function allowedValues(issue: z.core.$ZodIssue): string[] | null {
  if (issue.code !== 'invalid_union') return null
  const values = new Set<string>()
  for (const branch of issue.errors) {
    for (const inner of branch) {
      if (inner.code === 'invalid_value') inner.values.forEach((value) => values.add(String(value)))
    }
  }
  return values.size > 0 ? [...values] : null
}
