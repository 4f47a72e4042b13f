import type { ResolvedConfirm } from './select.ts'
import { configurationKey } from './space.ts'
import type { Configuration, Confirmation, ConfirmedConfiguration, EvaluationRecord } from './types.ts'

/** Times one configuration once more; `round` marks the record as a confirmation re-timing. */
export type Remeasure = (params: Configuration, timingTrials: number, round: number) => Promise<EvaluationRecord>

/**
 * The configurations worth re-timing: the search's `top` fastest, then the candidate's own when it
 * passed and is not among them, at most `slots` in all (the budget reserved for the round).
 */
export function pickFinalists(passed: EvaluationRecord[], baseline: EvaluationRecord | null, confirm: ResolvedConfirm, slots: number): EvaluationRecord[] {
  const ranked = passed.filter((item) => item.latencyMs !== null).sort((a, b) => a.latencyMs! - b.latencyMs!)
  const finalists = ranked.slice(0, Math.min(confirm.top, slots))
  const baselineKey = baseline ? configurationKey(baseline.params) : null
  const baselinePassed = baseline?.status === 'passed' && baseline.latencyMs !== null
  if (confirm.includeDefault && baselinePassed && finalists.length < slots && !finalists.some((item) => configurationKey(item.params) === baselineKey)) {
    // The search's own measurement of the baseline, not the first one, when it was timed twice.
    finalists.push(ranked.find((item) => configurationKey(item.params) === baselineKey) ?? baseline!)
  }
  return finalists
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/**
 * Re-times the finalists in interleaved rounds (A B C, A B C, ...) so that clock and thermal drift
 * hit every finalist alike, and picks the winner by the median of its round medians. The search's
 * single measurement of its best is the one most likely to have been lucky (winner's curse).
 * Returns null for the winner when no finalist passed every round; the caller keeps the search's best.
 */
export async function confirmFinalists(
  finalists: EvaluationRecord[],
  baseline: EvaluationRecord | null,
  confirm: ResolvedConfirm,
  remeasure: Remeasure,
  cancelled: () => boolean,
): Promise<{ confirmation: Confirmation; winner: EvaluationRecord | null }> {
  const rounds = finalists.map(() => [] as EvaluationRecord[])
  let runnerCalls = 0
  for (let round = 0; round < confirm.rounds && !cancelled(); round++) {
    for (const [index, finalist] of finalists.entries()) {
      if (cancelled()) break
      rounds[index]!.push(await remeasure(finalist.params, confirm.timingTrials, round))
      runnerCalls++
    }
  }
  const baselineKey = baseline ? configurationKey(baseline.params) : null
  const configurations: ConfirmedConfiguration[] = finalists.map((finalist, index) => {
    const measured = rounds[index]!
    const failed = measured.find((item) => item.status !== 'passed' || item.latencyMs === null)
    const complete = !failed && measured.length === confirm.rounds
    const roundMediansMs = measured.filter((item) => item.latencyMs !== null).map((item) => item.latencyMs!)
    return {
      params: finalist.params,
      searchMedianMs: finalist.latencyMs!,
      confirmedMedianMs: complete ? median(roundMediansMs) : null,
      roundMediansMs,
      trials: measured.reduce((sum, item) => sum + (item.timing?.trials ?? 0), 0),
      isDefault: configurationKey(finalist.params) === baselineKey,
      error: failed?.error ?? (complete ? null : { stage: 'cancelled', message: 'the confirmation round was cancelled before every round ran' }),
    }
  })
  const order = (item: ConfirmedConfiguration) => item.confirmedMedianMs ?? Infinity
  configurations.sort((a, b) => order(a) - order(b))
  const first = configurations[0]
  const winnerIndex = first?.confirmedMedianMs != null ? finalists.findIndex((item) => configurationKey(item.params) === configurationKey(first.params)) : -1
  let winner: EvaluationRecord | null = null
  if (winnerIndex >= 0) {
    const measured = rounds[winnerIndex]!
    // The round whose median is the confirmed one carries representative statistics.
    const representative = measured.reduce((best, item) => (Math.abs(item.latencyMs! - first!.confirmedMedianMs!) < Math.abs(best.latencyMs! - first!.confirmedMedianMs!) ? item : best))
    winner = { ...finalists[winnerIndex]!, latencyMs: first!.confirmedMedianMs, timing: representative.timing, timingTrials: first!.trials, phase: 'confirm' }
  }
  const searchBest = finalists[0]?.params ?? {}
  return {
    confirmation: {
      rounds: confirm.rounds,
      timingTrialsPerRound: confirm.timingTrials,
      configurations,
      runnerCalls,
      searchBest,
      changedWinner: winner !== null && configurationKey(winner.params) !== configurationKey(searchBest),
    },
    winner,
  }
}
