import type { Dsl } from '../ports/runner.ts'
import type { Budget, ConfirmConfig, ConstraintConfig, Objective, Preset, StrategyConfig } from './preset.ts'

/** A preset with the file it came from. */
export interface LoadedPreset {
  preset: Preset
  file: string
}

/** What the tuner will run, and why: shown by the CLI and the UI. */
export interface ResolvedStrategy {
  preset: string
  file: string
  strategy: StrategyConfig
  objective: Objective
  constraints: ConstraintConfig[]
  budget: Budget
  timing: boolean
  /** The confirmation round after the search, with defaults applied; enabled false when it does not run. */
  confirm: ResolvedConfirm
  /** Sentences: which preset matched and on what, which override applied, what the user changed. */
  reasons: string[]
  override: { kernel: string; reason: string } | null
}

/** How the top configurations are re-timed after the search (docs/tuner.md, "Confirmation round"). */
export interface ResolvedConfirm {
  enabled: boolean
  top: number
  includeDefault: boolean
  rounds: number
  /** Timing trials per configuration per round. */
  timingTrials: number
}

/** Three finalists: enough to catch a lucky search measurement among close configurations, few enough to stay cheap. */
const DEFAULT_CONFIRM_TOP = 3
/** Three interleaved rounds give a median that one disturbed round cannot move. */
const DEFAULT_CONFIRM_ROUNDS = 3

function resolveConfirm(sections: Array<ConfirmConfig | undefined>, timing: boolean, objective: Objective): ResolvedConfirm {
  const merged: ConfirmConfig = Object.assign({}, ...sections.filter(Boolean))
  return {
    enabled: timing && (merged.enabled ?? true),
    top: merged.top ?? DEFAULT_CONFIRM_TOP,
    includeDefault: merged.includeDefault ?? true,
    rounds: merged.rounds ?? DEFAULT_CONFIRM_ROUNDS,
    timingTrials: merged.timingTrials ?? objective.timingTrials,
  }
}

export interface Scenario {
  dsl: Dsl
  /** hopper, ampere, ada, blackwell, other-gpu, cpu, cpu-interpreter, npu. */
  deviceFamily: string
  /** The kernel's name (task and candidate), matched against kernel patterns. */
  kernel: string
}

/** A more specific match wins: a kernel pattern outweighs a device family, which outweighs a DSL. */
function specificity(preset: Preset, scenario: Scenario): number | null {
  const { dsl, deviceFamily, kernel } = preset.match
  if (!preset.automatic) return null
  if (dsl && !dsl.includes(scenario.dsl)) return null
  if (deviceFamily && !deviceFamily.includes(scenario.deviceFamily)) return null
  if (kernel && !new RegExp(kernel, 'i').test(scenario.kernel)) return null
  return (dsl ? 1 : 0) + (deviceFamily ? 2 : 0) + (kernel ? 4 : 0)
}

function describeMatch(preset: Preset, scenario: Scenario): string {
  const parts: string[] = []
  if (preset.match.dsl) parts.push(`dsl ${scenario.dsl}`)
  if (preset.match.deviceFamily) parts.push(`device family ${scenario.deviceFamily}`)
  if (preset.match.kernel) parts.push(`kernel "${scenario.kernel}" ~ /${preset.match.kernel}/i`)
  return parts.length > 0 ? parts.join(', ') : 'it matches every scenario'
}

/** Picks the most specific preset for the scenario; `chosen` names one explicitly (the --strategy option). */
export function selectPreset(presets: LoadedPreset[], scenario: Scenario, chosen?: string): { loaded: LoadedPreset; reason: string } {
  if (chosen) {
    const loaded = presets.find((item) => item.preset.name === chosen || item.file === chosen)
    if (!loaded) throw new Error(`no preset named "${chosen}"; known presets: ${presets.map((item) => item.preset.name).join(', ')}`)
    return { loaded, reason: `preset ${loaded.preset.name} was chosen explicitly` }
  }
  const ranked = presets
    .map((loaded) => ({ loaded, score: specificity(loaded.preset, scenario) }))
    .filter((item): item is { loaded: LoadedPreset; score: number } => item.score !== null)
    .sort((a, b) => b.score - a.score || a.loaded.preset.name.localeCompare(b.loaded.preset.name))
  const best = ranked[0]
  if (!best) {
    throw new Error(
      `no tuning preset matches dsl ${scenario.dsl} on device family ${scenario.deviceFamily}; add one under resources/tuner/presets or choose one with --strategy`,
    )
  }
  return { loaded: best.loaded, reason: `preset ${best.loaded.preset.name} matched on ${describeMatch(best.loaded.preset, scenario)}` }
}

/** The preset with its first matching kernel override and the caller's budget applied. */
export function resolveStrategy(loaded: LoadedPreset, selectionReason: string, kernel: string, budget?: Partial<Budget>): ResolvedStrategy {
  const { preset, file } = loaded
  const reasons = [selectionReason]
  const override = preset.overrides.find((item) => new RegExp(item.match.kernel, 'i').test(kernel)) ?? null
  let resolved: ResolvedStrategy = {
    preset: preset.name,
    file,
    strategy: preset.strategy,
    objective: preset.objective,
    constraints: preset.constraints,
    budget: preset.budget,
    timing: preset.timing,
    confirm: resolveConfirm([preset.confirm], preset.timing, preset.objective),
    reasons,
    override: null,
  }
  if (override) {
    resolved = {
      ...resolved,
      strategy: override.strategy ?? resolved.strategy,
      objective: { ...resolved.objective, ...override.objective },
      constraints: override.constraints ? [...resolved.constraints, ...override.constraints] : resolved.constraints,
      budget: { ...resolved.budget, ...override.budget },
      override: { kernel: override.match.kernel, reason: override.reason },
    }
    resolved.confirm = resolveConfirm([preset.confirm, override.confirm], preset.timing, resolved.objective)
    reasons.push(`override /${override.match.kernel}/i applied to kernel "${kernel}": ${override.reason}`)
  }
  if (budget && (budget.evaluations !== undefined || budget.minutes !== undefined)) {
    resolved.budget = { ...resolved.budget, ...budget }
    reasons.push(`budget set by the caller: ${resolved.budget.evaluations} evaluations, ${resolved.budget.minutes} minutes`)
  }
  reasons.push(`strategy ${resolved.strategy.kind}${resolved.timing ? ', objective median latency' : ', correctness only (no timing on this device)'}`)
  const { confirm } = resolved
  if (confirm.enabled) {
    reasons.push(
      `confirmation: the ${confirm.top} fastest${confirm.includeDefault ? " and the candidate's own configuration" : ''} re-timed in ${confirm.rounds} interleaved rounds of ${confirm.timingTrials} trials; the winner is picked from those medians, and each confirmed configuration counts as one evaluation of the budget`,
    )
  }
  return resolved
}
