/**
 * Failures that are nobody's verdict: the place that verifies candidates went away (a Ray cluster
 * lost). The run stops at once without a run-end, so it lists as interrupted and resumes later;
 * the candidate in flight is closed on resume, and nothing is counted for it.
 */
export const INTERRUPTING_CODES = new Set<string>(['RUNNER_LOST'])

export function interruptionCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && INTERRUPTING_CODES.has(code) ? code : null
}
