import type { CheckFinding } from '../contract/runs.ts'
import type { Dsl } from '../ports/index.ts'

/** What a DSL rule sees: the raw module, its masked lines and its string literals. */
export interface DslSource {
  code: string
  /** Strings and comments blanked, split by line. */
  lines: string[]
  strings: string[]
}

/**
 * A DSL on the agent side: prompt pieces for each role and the static rules that tell whether a
 * candidate really defines and launches a kernel of this DSL. Adding a DSL touches only its folder.
 */
export interface DslPlugin {
  name: Dsl
  label: string
  /** What the Designer is reminded of when it sketches a plan. */
  designHints: string
  /** The rules of a valid answer in this DSL, given to the Coder and the Fixer. */
  coderRules: string
  /**
   * The one way to declare tunable parameters that the tuner fully supports in this DSL: what it
   * searches, how each configuration is checked, what not to mix with it. Designer and Coder read it.
   */
  tuning: string
  /** What the harness counts as this DSL's kernels in the knock-out and torch-share checks. */
  yourKernels: string
  /** A minimal, complete module showing the expected shape (used in the first Coder prompt). */
  skeleton: string
  /** Optimisation levers per bound, for the optimize prompt. */
  optimizeHints: Record<'memory-bound' | 'compute-bound' | 'launch-bound' | 'occupancy-bound' | 'unknown', string>
  /** DSL compliance: the kernel is defined and launched. */
  compliance(source: DslSource): CheckFinding[]
}

export const rule = (name: string, message: string, line: number | null = null, severity: 'error' | 'warning' = 'error'): CheckFinding => ({
  rule: name,
  severity,
  line,
  message,
})

/** 1-based line of the first masked line matching, or null. */
export function lineOf(lines: string[], pattern: RegExp): number | null {
  const index = lines.findIndex((text) => pattern.test(text))
  return index < 0 ? null : index + 1
}

/** C and C++ text without its comments, so rules match code only. */
export const stripCComments = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '')
