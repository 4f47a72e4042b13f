import type { CheckFinding } from '../contract/runs.ts'

/** A string literal of the source with its 1-based starting line (CUDA and C++ sources live in them). */
export interface StringLiteral {
  line: number
  value: string
}

export interface MaskedSource {
  /** The source with strings and comments blanked out, same length and same line breaks. */
  code: string
  strings: StringLiteral[]
  findings: CheckFinding[]
}

const blank = (text: string): string => text.replace(/[^\n]/g, ' ')

/**
 * Blanks strings and comments so rules match only real code, and reports strings that never end.
 * Handles prefixes (r, b, f, rb...), triple quotes and escapes the way Python's tokenizer does.
 */
export function maskPython(source: string): MaskedSource {
  const strings: StringLiteral[] = []
  const findings: CheckFinding[] = []
  let code = ''
  let line = 1
  let index = 0
  while (index < source.length) {
    const char = source[index]!
    if (char === '#') {
      const end = source.indexOf('\n', index)
      const stop = end === -1 ? source.length : end
      code += blank(source.slice(index, stop))
      index = stop
      continue
    }
    if (char === '"' || char === "'") {
      const prefix = /[rRbBuUfF]{0,2}$/.exec(code)?.[0] ?? ''
      const raw = /[rR]/.test(prefix)
      const triple = source.startsWith(char.repeat(3), index)
      const quote = triple ? char.repeat(3) : char
      let cursor = index + quote.length
      let closed = false
      while (cursor < source.length) {
        const current = source[cursor]!
        if (current === '\\' && !raw) {
          cursor += 2
          continue
        }
        if (current === '\\' && raw) {
          cursor += 2
          continue
        }
        if (!triple && current === '\n') break
        if (source.startsWith(quote, cursor)) {
          closed = true
          break
        }
        cursor += 1
      }
      const end = closed ? cursor + quote.length : cursor
      const literal = source.slice(index, end)
      if (!closed) {
        findings.push({
          rule: 'syntax',
          severity: 'error',
          line,
          message: `line ${line}: a ${triple ? 'triple-quoted ' : ''}string starting here is never closed; close it with ${quote}.`,
        })
      }
      strings.push({ line, value: source.slice(index + quote.length, closed ? cursor : end) })
      // Keep the quotes so `x = ""` still reads as an expression, blank the content.
      code += quote + blank(literal.slice(quote.length, literal.length - (closed ? quote.length : 0))) + (closed ? quote : '')
      line += (literal.match(/\n/g) ?? []).length
      index = end
      continue
    }
    if (char === '\n') line += 1
    code += char
    index += 1
  }
  return { code, strings, findings }
}

const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' }

/** Bracket balance and indentation, checked on masked code; this is what can be told without CPython. */
export function checkStructure(masked: string): CheckFinding[] {
  const findings: CheckFinding[] = []
  const stack: Array<{ char: string; line: number }> = []
  const indents = [0]
  let expectIndent = false
  let continued = false
  const lines = masked.split('\n')
  lines.forEach((text, offset) => {
    const lineNumber = offset + 1
    const trimmed = text.trim()
    const startsLogicalLine = stack.length === 0 && !continued
    if (trimmed.length > 0 && startsLogicalLine) {
      const leading = /^[ \t]*/.exec(text)![0]
      if (leading.includes('\t') && leading.includes(' ')) {
        findings.push({
          rule: 'syntax',
          severity: 'error',
          line: lineNumber,
          message: `line ${lineNumber}: indentation mixes tabs and spaces; use spaces only.`,
        })
      }
      const width = leading.replace(/\t/g, '        ').length
      const top = indents[indents.length - 1]!
      if (expectIndent) {
        if (width <= top)
          findings.push({
            rule: 'syntax',
            severity: 'error',
            line: lineNumber,
            message: `line ${lineNumber}: expected an indented block after the ':' on the line before.`,
          })
        else indents.push(width)
      } else if (width > top) {
        findings.push({
          rule: 'syntax',
          severity: 'error',
          line: lineNumber,
          message: `line ${lineNumber}: unexpected indent (is a ':' missing at the end of the line before?).`,
        })
      } else if (width < top) {
        while (indents.length > 1 && indents[indents.length - 1]! > width) indents.pop()
        if (indents[indents.length - 1] !== width) {
          findings.push({
            rule: 'syntax',
            severity: 'error',
            line: lineNumber,
            message: `line ${lineNumber}: unindent does not match any outer indentation level.`,
          })
        }
      }
    }
    for (const char of text) {
      if (char === '(' || char === '[' || char === '{') stack.push({ char, line: lineNumber })
      else if (char in pairs) {
        const open = stack.pop()
        if (!open || open.char !== pairs[char]) {
          findings.push({
            rule: 'syntax',
            severity: 'error',
            line: lineNumber,
            message: open
              ? `line ${lineNumber}: '${char}' closes the '${open.char}' opened on line ${open.line}; brackets do not match.`
              : `line ${lineNumber}: '${char}' has no opening bracket.`,
          })
          if (open) stack.push(open)
        }
      }
    }
    continued = /\\\s*$/.test(text)
    if (trimmed.length > 0 && stack.length === 0 && !continued) expectIndent = trimmed.endsWith(':')
  })
  for (const open of stack) {
    findings.push({ rule: 'syntax', severity: 'error', line: open.line, message: `line ${open.line}: '${open.char}' is never closed.` })
  }
  return findings.slice(0, 10)
}

/** The lines of a block that starts at `header` (a def or class line), as [first, last] 0-based indices. */
export function blockRange(lines: string[], header: number): [number, number] {
  const indent = /^\s*/.exec(lines[header]!)![0].length
  let last = header
  for (let index = header + 1; index < lines.length; index += 1) {
    const text = lines[index]!
    if (text.trim().length === 0) continue
    if (/^\s*/.exec(text)![0].length <= indent) break
    last = index
  }
  return [header, last]
}
