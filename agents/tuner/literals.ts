import type { ParamValue } from './types.ts'

/** A problem in what the candidate declares, with the line so the user can find it. */
export class DeclarationError extends Error {
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(line === null ? message : `line ${line}: ${message}`)
    this.name = 'DeclarationError'
  }
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/
const HEX = /^0[xX][0-9a-fA-F]+$/
const WORD = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Reads one literal as Python or C writes it: a number, True/False/true/false, a quoted string or a bare word. */
export function parseLiteral(text: string, line: number | null): ParamValue {
  const token = text.trim()
  if (NUMBER.test(token)) return Number(token)
  if (HEX.test(token)) return Number.parseInt(token, 16)
  if (token === 'True' || token === 'true') return true
  if (token === 'False' || token === 'false') return false
  const quoted = /^(['"])(.*)\1$/.exec(token)
  if (quoted) return quoted[2] ?? ''
  if (WORD.test(token)) return token
  throw new DeclarationError(`"${token}" is not a literal the tuner can read (a number, True/False, a quoted string or a bare word)`, line)
}

/** Reads `[v1, v2, ...]`; values must be distinct so that every configuration is evaluated once. */
export function parseValueList(text: string, line: number): ParamValue[] {
  const trimmed = text.trim()
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) throw new DeclarationError(`expected a list of values like [64, 128, 256], found "${trimmed}"`, line)
  const inner = trimmed.slice(1, -1).trim()
  if (inner === '') throw new DeclarationError('the list of values is empty', line)
  const values = splitTopLevel(inner, ',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => parseLiteral(item, line))
  const seen = new Set<string>()
  for (const value of values) {
    const key = JSON.stringify(value)
    if (seen.has(key)) throw new DeclarationError(`the value ${key} is listed twice`, line)
    seen.add(key)
  }
  return values
}

/** Splits on a separator outside brackets and quotes. */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quote: string | null = null
  let start = 0
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!
    if (quote) {
      if (character === '\\') index++
      else if (character === quote) quote = null
      continue
    }
    if (character === '"' || character === "'") quote = character
    else if ('([{'.includes(character)) depth++
    else if (')]}'.includes(character)) depth--
    else if (character === separator && depth === 0) {
      parts.push(text.slice(start, index))
      start = index + 1
    }
  }
  parts.push(text.slice(start))
  return parts
}

/** Index just past the bracket that closes the one at `open`, skipping quoted text; -1 when unbalanced. */
export function matchBracket(text: string, open: number): number {
  let depth = 0
  let quote: string | null = null
  for (let index = open; index < text.length; index++) {
    const character = text[index]!
    if (quote) {
      if (character === '\\') index++
      else if (character === quote) quote = null
      continue
    }
    if (character === '"' || character === "'") quote = character
    else if ('([{'.includes(character)) depth++
    else if (')]}'.includes(character)) {
      depth--
      if (depth === 0) return index + 1
    }
  }
  return -1
}

/** Writes a value as a Python literal. */
export function pythonLiteral(value: ParamValue): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number') return String(value)
  return JSON.stringify(value)
}

/** Writes a value as a C macro body: words stay bare (schedule kinds), booleans become 1/0. */
export function cLiteral(value: ParamValue): string {
  if (typeof value === 'boolean') return value ? '1' : '0'
  return String(value)
}
