/** A piece of an agent's answer: prose, or a fenced code block with its language (open while still streaming). */
export type StreamPart = { kind: 'text'; text: string } | { kind: 'code'; language: string; code: string; open: boolean }

/**
 * Splits streamed markdown at its ``` fences, so code shows as code and not as raw fences. A fence
 * not yet closed is an open block: the text that follows is code still arriving.
 */
export function splitFences(text: string): StreamPart[] {
  const parts: StreamPart[] = []
  const fence = /^```([\w+-]*)[^\n]*$/gm
  let cursor = 0
  let open: { language: string; start: number } | null = null
  for (let match = fence.exec(text); match; match = fence.exec(text)) {
    if (!open) {
      if (match.index > cursor) parts.push({ kind: 'text', text: text.slice(cursor, match.index) })
      open = { language: match[1] || 'text', start: match.index + match[0].length + 1 }
    } else {
      parts.push({ kind: 'code', language: open.language, code: text.slice(open.start, match.index).replace(/\n$/, ''), open: false })
      open = null
    }
    cursor = match.index + match[0].length + 1
  }
  if (open) parts.push({ kind: 'code', language: open.language, code: text.slice(Math.min(open.start, text.length)), open: true })
  else if (cursor < text.length) parts.push({ kind: 'text', text: text.slice(cursor) })
  return parts
}
