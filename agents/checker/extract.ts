/** A fenced block of a model's answer. */
interface Fence {
  language: string
  body: string
}

const fencePattern = /(^|\n)[ \t]*(`{3,}|~{3,})[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)\n[ \t]*\2[ \t]*(?=\n|$)/g

function fences(answer: string): Fence[] {
  return [...answer.matchAll(fencePattern)].map((match) => ({ language: match[3]!.toLowerCase(), body: match[4]! }))
}

/**
 * The Python module in a model's answer: the fenced block that defines ModelNew, else the
 * longest Python block, else the whole answer when it is bare code; null when there is none.
 * An answer cut off inside an open fence still yields the code written so far.
 */
export function extractCode(answer: string): string | null {
  const code = extractRaw(answer)
  return code === null ? null : withoutLineNumbers(code)
}

/**
 * Prompts show code with `12| ` line numbers; a model that copies them back gets them removed,
 * but only when every non-empty line carries one (a Python line never starts with `12| `).
 */
function withoutLineNumbers(code: string): string {
  const lines = code.split('\n')
  const numberedLine = /^\s*\d+\| ?/
  const filled = lines.filter((line) => line.trim() !== '')
  if (filled.length === 0 || !filled.every((line) => numberedLine.test(line))) return code
  return lines.map((line) => line.replace(numberedLine, '')).join('\n')
}

function extractRaw(answer: string): string | null {
  const blocks = fences(answer)
  const python = blocks.filter((block) => block.language === '' || block.language === 'python' || block.language === 'py' || block.language === 'python3')
  const withModel = python.filter((block) => /class\s+ModelNew\b/.test(block.body))
  if (withModel.length > 0) return withModel[withModel.length - 1]!.body.trimEnd() + '\n'
  const open = /```(?:python|py)?[^\n]*\n([\s\S]*)$/.exec(answer)
  if (open && /class\s+ModelNew\b/.test(open[1]!) && !open[1]!.includes('```')) return open[1]!.trimEnd() + '\n'
  if (blocks.length === 0 && /^\s*(import|from)\s+\w+/m.test(answer) && /class\s+ModelNew\b/.test(answer)) return answer.trim() + '\n'
  if (python.length > 0) return python.reduce((longest, block) => (block.body.length > longest.body.length ? block : longest)).body.trimEnd() + '\n'
  return null
}

/** The plan text of a Designer answer: the answer without a leading chatter line, bounded so prompts stay small. */
export function extractPlan(answer: string, limit = 6000): string {
  const text = answer.trim()
  return text.length > limit ? `${text.slice(0, limit)}\n[plan cut at ${limit} characters]` : text
}
