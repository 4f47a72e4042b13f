import type { Verdict } from '../ports/index.ts'

/** A per-element relative error above this comes from a reference value near zero, not from the kernel: it is left out. */
const meaningfulRelativeError = 1e3

const short = (value: number): string =>
  Math.abs(value) >= 1e4 || (Math.abs(value) < 1e-3 && value !== 0) ? value.toExponential(3) : String(Number(value.toPrecision(6)))
const shown = (value: unknown): string => (typeof value === 'number' ? short(value) : String(value))

/**
 * The error measures a Fixer can act on: how many elements are off, by how much in absolute terms
 * and against the reference's norm, and the worst element with both values. A relative error of
 * 4.7e+303 (a division by a reference value near zero) says nothing and is not shown.
 */
export function correctnessLine(correctness: NonNullable<Verdict['correctness']>): string {
  const parts: string[] = []
  if (typeof correctness.mismatch_ratio === 'number') parts.push(`${(correctness.mismatch_ratio * 100).toPrecision(3)}% of elements out of tolerance`)
  if (typeof correctness.max_abs_error === 'number') parts.push(`max absolute error ${short(correctness.max_abs_error)}`)
  if (typeof correctness.relative_error_norm === 'number') parts.push(`error norm / reference norm ${short(correctness.relative_error_norm)}`)
  if (typeof correctness.max_rel_error === 'number' && correctness.max_rel_error < meaningfulRelativeError)
    parts.push(`max relative error ${short(correctness.max_rel_error)}`)
  const worst = correctness.worst_element
  if (worst && Array.isArray(worst.index))
    parts.push(`worst element at [${worst.index.join(', ')}]: got ${shown(worst.got)}, expected ${shown(worst.expected)}`)
  return parts.length > 0 ? `Outputs: ${parts.join('; ')}.` : 'Outputs differ from the reference.'
}
