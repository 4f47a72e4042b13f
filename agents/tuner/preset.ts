import { z } from 'zod'
import { dslNames } from '../contract/registry.ts'
import { compileExpression, ExpressionError } from './expression.ts'

/**
 * A tuning preset: which scenario it serves (DSL x device family, optionally a kernel pattern),
 * the strategy, objective, constraints and budget, and per-kernel overrides. Presets are JSON files
 * (resources/tuner/presets/*.json, and the user's own); docs/tuner.md documents every field.
 */
const seed = z.number().int().min(0).default(0)
const positiveInt = z.number().int().positive()

const strategySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('exhaustive') }).strict(),
  z.object({ kind: z.literal('random'), seed }).strict(),
  z
    .object({
      kind: z.literal('successive-halving'),
      seed,
      /** Keep the best 1/eta of each rung and give them eta times the timing trials. */
      eta: z.number().int().min(2).default(3),
      /** Timing trials in the first rung; survivors get eta times more, up to maxTimingTrials. */
      minTimingTrials: positiveInt.default(5),
      maxTimingTrials: positiveInt.default(100),
    })
    .strict(),
  z
    .object({
      kind: z.literal('tpe'),
      seed,
      /** Configurations of the start (a Latin hypercube over the ordinal grid) before the model is trusted; at most a quarter of the budget. */
      initial: positiveInt.default(8),
      /** Fraction of evaluated configurations counted as good. */
      gamma: z.number().gt(0).lt(1).default(0.25),
      /** Width of the Parzen kernel over a parameter's ordered values, in list positions. */
      bandwidth: z.number().positive().default(1),
    })
    .strict(),
  z
    .object({
      kind: z.literal('gp'),
      seed,
      /** Configurations of the space-filling start (Latin hypercube), at most a third of the budget. */
      initial: positiveInt.default(5),
      /** Every this many model steps, pick among the incumbent's unevaluated grid neighbours first (1: always, 0: never). */
      localEvery: z.number().int().min(0).default(1),
    })
    .strict(),
])

const constraintSchema = z.union([
  z.object({ name: z.string().min(1), expression: z.string().min(1) }).strict(),
  z
    .object({
      name: z.string().min(1),
      /** Dotted path into the harness verdict (profile.registers_per_thread, profile.shared_memory_bytes, profile.occupancy). */
      metric: z.string().min(1),
      min: z.number().optional(),
      max: z.number().optional(),
    })
    .strict(),
])

const budgetSchema = z.object({ evaluations: positiveInt, minutes: z.number().positive() }).strict()
const objectiveSchema = z
  .object({
    metric: z.literal('median_ms').default('median_ms'),
    timingTrials: positiveInt.default(30),
    correctnessTrials: positiveInt.default(2),
  })
  .strict()

/**
 * The confirmation round: after the search, the top configurations (and the candidate's own) are
 * timed again in interleaved rounds (A B C A B C ...), and the winner is picked from those medians.
 * A single search measurement of the best configuration is the most likely one to be lucky.
 * No defaults here (zod would fill them into an override too); resolveStrategy applies them.
 */
const confirmSchema = z
  .object({
    /** Default: on when the preset times (timing: true), off for correctness-only presets. */
    enabled: z.boolean().optional(),
    /** How many of the search's fastest configurations are re-timed (default 3). */
    top: positiveInt.optional(),
    /** Also re-time the candidate's own configuration when the search evaluated it (default true). */
    includeDefault: z.boolean().optional(),
    /** Interleaved rounds (default 3); each configuration is timed once per round, so drift hits all alike. */
    rounds: z.number().int().min(2).optional(),
    /** Timing trials per configuration per round; the objective's timingTrials when left out. */
    timingTrials: positiveInt.optional(),
  })
  .strict()

const kernelPattern = z
  .string()
  .min(1)
  .refine((pattern) => {
    try {
      new RegExp(pattern, 'i')
      return true
    } catch {
      return false
    }
  }, 'is not a valid regular expression')

const overrideSchema = z
  .object({
    match: z.object({ kernel: kernelPattern }).strict(),
    reason: z.string().min(1),
    strategy: strategySchema.optional(),
    budget: budgetSchema.partial().strict().optional(),
    objective: objectiveSchema.partial().strict().optional(),
    constraints: z.array(constraintSchema).optional(),
    confirm: confirmSchema.optional(),
  })
  .strict()

export const presetSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, dashes and underscores'),
    description: z.string().min(1),
    /** false: never picked by scenario, only by name (--strategy NAME); the plain strategy presets use this. */
    automatic: z.boolean().default(true),
    match: z
      .object({
        dsl: z.array(z.enum(dslNames)).min(1).optional(),
        /** hopper, ampere, ada, blackwell, other-gpu, cpu, cpu-interpreter, npu. */
        deviceFamily: z.array(z.string().min(1)).min(1).optional(),
        kernel: kernelPattern.optional(),
      })
      .strict(),
    /** false: every configuration is checked for correctness and nothing is timed (Triton's interpreter). */
    timing: z.boolean().default(true),
    strategy: strategySchema,
    objective: objectiveSchema.default({ metric: 'median_ms', timingTrials: 30, correctnessTrials: 2 }),
    constraints: z.array(constraintSchema).default([]),
    budget: budgetSchema,
    confirm: confirmSchema.optional(),
    overrides: z.array(overrideSchema).default([]),
  })
  .strict()

export type Preset = z.output<typeof presetSchema>
export type StrategyConfig = Preset['strategy']
export type ConstraintConfig = Preset['constraints'][number]
export type Budget = Preset['budget']
export type Objective = Preset['objective']
export type ConfirmConfig = z.output<typeof confirmSchema>

/** A preset file that could not be used, with the field at fault. */
export class PresetError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${file}: ${field}: ${problem}`)
    this.name = 'PresetError'
  }
}

/** Validates a parsed JSON document; the first problem is reported with its dotted field path. */
export function parsePreset(document: unknown, file: string): Preset {
  const parsed = presetSchema.safeParse(document)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const field = issue.path.length > 0 ? issue.path.join('.') : '(document)'
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : ''
    throw new PresetError(file, field, `${issue.message}${more}`)
  }
  const preset = parsed.data
  const confirmSections: Array<[string, { enabled?: boolean } | undefined]> = [
    ['confirm', preset.confirm],
    ...preset.overrides.map((override, index): [string, { enabled?: boolean } | undefined] => [`overrides.${index}.confirm`, override.confirm]),
  ]
  for (const [path, section] of confirmSections) {
    if (!preset.timing && section?.enabled === true) {
      throw new PresetError(
        file,
        `${path}.enabled`,
        'a confirmation round re-times configurations, and this preset does not time (timing: false); remove it or set timing: true',
      )
    }
  }
  const constraintLists: Array<[string, ConstraintConfig[]]> = [
    ['constraints', preset.constraints],
    ...preset.overrides.map((override, index): [string, ConstraintConfig[]] => [`overrides.${index}.constraints`, override.constraints ?? []]),
  ]
  for (const [path, list] of constraintLists) {
    list.forEach((constraint, index) => {
      if ('expression' in constraint) {
        try {
          compileExpression(constraint.expression)
        } catch (error) {
          throw new PresetError(file, `${path}.${index}.expression`, error instanceof ExpressionError ? error.message : String(error))
        }
      } else if (constraint.min === undefined && constraint.max === undefined) {
        throw new PresetError(file, `${path}.${index}`, 'a metric constraint needs min or max')
      }
    })
  }
  return preset
}

/** Parses a preset file's text, turning a JSON syntax error into the same kind of error. */
export function parsePresetText(text: string, file: string): Preset {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (error) {
    throw new PresetError(file, '(document)', `not valid JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  return parsePreset(document, file)
}
