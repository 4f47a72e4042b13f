/**
 * The tuner: a configurable search over the tunables a passing candidate declares (docs/tuner.md).
 *
 * For the optimize workflow's `tune(candidate)` hook, call:
 *
 *   tuneCandidate({
 *     source, candidatePath, taskPath, dsl, device,   // the passing candidate and where it runs
 *     deviceFamily,                                    // hopper | ampere | ada | blackwell | other-gpu | cpu | cpu-interpreter | npu
 *     kernel,                                          // a name matched against preset kernel patterns (task name)
 *     presets,                                         // LoadedPreset[] (host: loadPresets in main/host/tuner)
 *     strategy?, budget?,                              // preset name and budget overrides, optional
 *     runner, clock, signal?, onRecord?,
 *   }): Promise<TuneOutcome>
 *
 * The outcome is { kind: 'no-tunables' } when the candidate declares nothing to tune, or
 * { kind: 'tuned', result } where result.bestSource (when not null) is the source of the new
 * candidate, with result.best.params and result.strategy.reasons saying what ran and why.
 * It throws DeclarationError for a malformed declaration and Error when no preset matches.
 */
import type { Clock } from '../ports/index.ts'
import type { Dsl, Runner } from '../ports/runner.ts'
import type { Budget } from './preset.ts'
import { resolveStrategy, selectPreset, type LoadedPreset } from './select.ts'
import { parseSpace } from './space.ts'
import { runSearch, type TuneResult } from './tuner.ts'
import type { EvaluationRecord, TuneProgress } from './types.ts'

export * from './types.ts'
export { DeclarationError } from './literals.ts'
export { ExpressionError, compileExpression } from './expression.ts'
export { parsePreset, parsePresetText, PresetError, presetSchema, type Preset, type StrategyConfig, type Budget } from './preset.ts'
export { resolveStrategy, selectPreset, type LoadedPreset, type ResolvedStrategy, type Scenario } from './select.ts'
export { applyConfiguration, configurationKey, defaultConfiguration, enumerateSpace, parseSpace, spaceSize } from './space.ts'
export { runSearch, type StopReason, type TuneOptions, type TuneResult } from './tuner.ts'

export interface TuneCandidateInput {
  source: string
  candidatePath: string
  taskPath: string
  dsl: Dsl
  device: string
  deviceFamily: string
  kernel: string
  presets: LoadedPreset[]
  strategy?: string
  budget?: Partial<Budget>
  runner: Runner
  clock: Clock
  signal?: AbortSignal
  includeDefault?: boolean
  timeoutSeconds?: number
  onRecord?: (record: EvaluationRecord, progress: TuneProgress) => void
}

export type TuneOutcome = { kind: 'no-tunables' } | { kind: 'tuned'; result: TuneResult }

/** Reads the candidate's space, picks the preset for its scenario and kernel, and runs the search. */
export async function tuneCandidate(input: TuneCandidateInput): Promise<TuneOutcome> {
  const space = parseSpace(input.source, input.dsl)
  if (space.parameters.length === 0) return { kind: 'no-tunables' }
  const scenario = { dsl: input.dsl, deviceFamily: input.deviceFamily, kernel: input.kernel }
  const { loaded, reason } = selectPreset(input.presets, scenario, input.strategy)
  const strategy = resolveStrategy(loaded, reason, input.kernel, input.budget)
  const result = await runSearch({ ...input, space, strategy })
  return { kind: 'tuned', result }
}
