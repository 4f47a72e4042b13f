/**
 * The front matter of a knowledge document: a small, strict subset of YAML that we parse ourselves,
 * so a document means the same thing to every reader and a mistake is reported with its line.
 *
 *   ---
 *   id: triton-api                  # a bare string
 *   title: "Triton: the essentials" # quotes when the value has a colon or a leading symbol
 *   stage: [initial, debug]         # an inline list of bare or quoted strings
 *   priority: 90                    # an integer or decimal number
 *   ---
 *
 * One `key: value` a line; blank lines and lines starting with # are ignored; a # after a value
 * starts a comment unless it is inside quotes. No nesting, no multi-line values, no anchors.
 */

export type FrontMatterValue = string | number | string[]

export interface FrontMatterField {
  value: FrontMatterValue
  line: number
}

export interface FrontMatter {
  fields: Map<string, FrontMatterField>
  body: string
  /** Line number (1-based) in the file where the body starts. */
  bodyLine: number
}

/** A problem in a document, located by file, and by field or line when known. */
export class KnowledgeDocumentError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly field: string | null = null,
    readonly line: number | null = null,
  ) {
    const where = [line !== null ? `line ${line}` : null, field !== null ? `field "${field}"` : null].filter(Boolean).join(', ')
    super(`${file}${where ? ` (${where})` : ''}: ${problem}`)
    this.name = 'KnowledgeDocumentError'
  }
}

const DELIMITER = '---'
const KEY_PATTERN = /^([A-Za-z_][A-Za-z0-9_-]*)\s*:(.*)$/

export function parseFrontMatter(text: string, file: string): FrontMatter {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  if (lines[0]?.trim() !== DELIMITER) {
    throw new KnowledgeDocumentError(file, 'a knowledge document starts with a front matter block: a line "---", the fields, then "---".', null, 1)
  }
  const end = lines.findIndex((line, index) => index > 0 && line.trim() === DELIMITER)
  if (end < 0) throw new KnowledgeDocumentError(file, 'the front matter is not closed: add a line "---" after the last field.', null, 1)

  const fields = new Map<string, FrontMatterField>()
  for (let index = 1; index < end; index++) {
    const lineNumber = index + 1
    const raw = lines[index] ?? ''
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    if (/^\s/.test(raw)) {
      throw new KnowledgeDocumentError(file, 'indented lines are not supported; write each field as "key: value" on one line.', null, lineNumber)
    }
    const match = KEY_PATTERN.exec(trimmed)
    if (!match) throw new KnowledgeDocumentError(file, `expected "key: value", found "${trimmed}".`, null, lineNumber)
    const key = match[1] as string
    if (fields.has(key)) throw new KnowledgeDocumentError(file, 'the field is given twice.', key, lineNumber)
    fields.set(key, { value: parseValue(stripComment(match[2] ?? '').trim(), file, key, lineNumber), line: lineNumber })
  }
  return {
    fields,
    body: lines
      .slice(end + 1)
      .join('\n')
      .trim(),
    bodyLine: end + 2,
  }
}

function stripComment(text: string): string {
  let quote: string | null = null
  for (let index = 0; index < text.length; index++) {
    const character = text[index]
    if (quote) {
      if (character === quote) quote = null
    } else if (character === '"' || character === "'") {
      quote = character
    } else if (character === '#' && (index === 0 || /\s/.test(text[index - 1] ?? ''))) {
      return text.slice(0, index)
    }
  }
  return text
}

function parseValue(text: string, file: string, key: string, line: number): FrontMatterValue {
  if (text === '') throw new KnowledgeDocumentError(file, 'the value is empty; nested blocks are not supported, write the value on the same line.', key, line)
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw new KnowledgeDocumentError(file, 'a list must open and close on the same line: [a, b, c].', key, line)
    const inner = text.slice(1, -1).trim()
    if (inner === '') return []
    return splitList(inner, file, key, line).map((item) => parseScalar(item.trim(), file, key, line, true) as string)
  }
  return parseScalar(text, file, key, line, false)
}

function splitList(inner: string, file: string, key: string, line: number): string[] {
  const items: string[] = []
  let quote: string | null = null
  let current = ''
  for (const character of inner) {
    if (quote) {
      if (character === quote) quote = null
    } else if (character === '"' || character === "'") {
      quote = character
    } else if (character === ',') {
      items.push(current)
      current = ''
      continue
    } else if (character === '[' || character === ']') {
      throw new KnowledgeDocumentError(file, 'nested lists are not supported.', key, line)
    }
    current += character
  }
  if (quote) throw new KnowledgeDocumentError(file, `a quoted string is not closed (${quote}).`, key, line)
  items.push(current)
  if (items.some((item) => item.trim() === ''))
    throw new KnowledgeDocumentError(file, 'the list has an empty item (two commas in a row or a trailing comma).', key, line)
  return items
}

function parseScalar(text: string, file: string, key: string, line: number, inList: boolean): string | number {
  const first = text[0]
  if (first === '"' || first === "'") {
    if (text.length < 2 || text[text.length - 1] !== first) throw new KnowledgeDocumentError(file, `a quoted string is not closed (${first}).`, key, line)
    return text.slice(1, -1)
  }
  // Numbers stay strings inside lists: lists hold names (stages, operators), never quantities.
  if (!inList && /^-?\d+(\.\d+)?$/.test(text)) return Number(text)
  if (/^[{&*!|>%@`]/.test(text)) {
    throw new KnowledgeDocumentError(file, `"${text}" uses YAML syntax this format does not support; quote the value if it is text.`, key, line)
  }
  return text
}
