import type { CheckFinding } from '../contract/runs.ts'
import { dslPlugin } from '../dsl/index.ts'
import type { Dsl } from '../ports/index.ts'
import { findCheats } from './cheats.ts'
import { checkStructure, maskPython } from './python-source.ts'

export { extractCode, extractPlan } from './extract.ts'

export interface CheckInput {
  code: string
  dsl: Dsl
  /** The task module's source: its dtypes decide whether half precision is a downgrade. */
  taskSource: string
}

export interface CheckResult {
  /** False when any finding is an error; warnings travel to the Coder but do not block verification. */
  passed: boolean
  findings: CheckFinding[]
}

/** True when the task itself works in half or bfloat16 precision. */
export const usesReducedPrecision = (taskSource: string): boolean => /float16|bfloat16|\.half\(\)|torch\.half\b/.test(taskSource)

/**
 * The static Checker: no model, no Python. Syntax as far as it can be told from tokens,
 * ModelNew's shape, DSL compliance and the known cheats; the harness does the real compile.
 */
export function checkCandidate(input: CheckInput): CheckResult {
  const masked = maskPython(input.code)
  const lines = masked.code.split('\n')
  const findings: CheckFinding[] = [...masked.findings, ...checkStructure(masked.code)]
  const classLine = lines.findIndex((text) => /^class\s+ModelNew\b/.test(text))
  if (classLine < 0) {
    findings.push({
      rule: 'structure',
      severity: 'error',
      line: null,
      message: "The module does not define `class ModelNew(nn.Module)` at top level; define it with the task Model's constructor and forward.",
    })
  } else if (!lines.slice(classLine + 1).some((text) => /^\s+def\s+forward\s*\(/.test(text))) {
    findings.push({
      rule: 'structure',
      severity: 'error',
      line: classLine + 1,
      message: 'ModelNew has no forward method; define forward with the same arguments as the task Model.',
    })
  }
  const strings = masked.strings.map((literal) => literal.value)
  findings.push(...dslPlugin(input.dsl).compliance({ code: input.code, lines, strings }))
  findings.push(...findCheats({ lines, strings, taskUsesReducedPrecision: usesReducedPrecision(input.taskSource) }))
  return { passed: !findings.some((finding) => finding.severity === 'error'), findings }
}

/** Findings as the bullet list the Coder and Fixer read. */
export const formatFindings = (findings: CheckFinding[]): string => findings.map((finding) => `- [${finding.severity}] ${finding.message}`).join('\n')
