import { compileExpression, ExpressionError } from './expression.ts'
import type { ConstraintConfig } from './preset.ts'
import type { Verdict } from '../ports/runner.ts'
import type { Configuration, DeclaredConstraint } from './types.ts'

/** A static constraint, checked before a configuration is run. */
export interface StaticCheck {
  name: string
  expression: string
  test: (configuration: Configuration) => boolean
}

/** Static constraints from the preset and the candidate; those naming a tunable this kernel lacks are set aside with a note. */
export function staticChecks(preset: ConstraintConfig[], declared: DeclaredConstraint[], sample: Configuration): { checks: StaticCheck[]; notes: string[] } {
  const checks: StaticCheck[] = []
  const notes: string[] = []
  const all = [
    ...preset.filter((item): item is { name: string; expression: string } => 'expression' in item),
    ...declared.map((item) => ({ name: `line ${item.line}`, expression: item.expression })),
  ]
  for (const constraint of all) {
    const evaluate = compileExpression(constraint.expression)
    try {
      evaluate(sample)
    } catch (error) {
      if (error instanceof ExpressionError && /unknown name/.test(error.message)) {
        notes.push(
          `constraint ${constraint.name} (${constraint.expression}) does not apply: ${error.message.replace(/ in constraint.*$/, '')} among this kernel's tunables`,
        )
        continue
      }
      throw error
    }
    checks.push({ name: constraint.name, expression: constraint.expression, test: (configuration) => Boolean(evaluate(configuration)) })
  }
  return { checks, notes }
}

/** Reads a dotted path (profile.registers_per_thread) from a verdict; null when absent or not a number. */
export function verdictMetric(verdict: Verdict, path: string): number | null {
  let value: unknown = verdict
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return null
    value = (value as Record<string, unknown>)[part]
  }
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/** The first metric constraint a verdict violates, or null; metrics the verdict lacks are reported once through `missing`. */
export function violatedMetric(constraints: ConstraintConfig[], verdict: Verdict, missing: (name: string, metric: string) => void): string | null {
  for (const constraint of constraints) {
    if (!('metric' in constraint)) continue
    const value = verdictMetric(verdict, constraint.metric)
    if (value === null) {
      missing(constraint.name, constraint.metric)
      continue
    }
    if (constraint.max !== undefined && value > constraint.max) return `${constraint.name}: ${constraint.metric} = ${value} exceeds ${constraint.max}`
    if (constraint.min !== undefined && value < constraint.min) return `${constraint.name}: ${constraint.metric} = ${value} is below ${constraint.min}`
  }
  return null
}
