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

/** Re-timings of one round allowed while its timing stays noisy, before the tuner says it could not get a quiet one. */
export const MAX_QUIET_RETRIES = 2

/** A round's timing too spread to trust (the harness's noisy_timing rule, see its README). */
const isNoisy = (record: EvaluationRecord) => record.timing?.noisy === true

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
      // Only a quiet round confirms: a noisy one is timed again, up to MAX_QUIET_RETRIES times.
      let record = await remeasure(finalist.params, confirm.timingTrials, round)
      runnerCalls++
      for (let retry = 0; isNoisy(record) && record.status === 'passed' && retry < MAX_QUIET_RETRIES && !cancelled(); retry++) {
        record = await remeasure(finalist.params, confirm.timingTrials, round)
        runnerCalls++
      }
      rounds[index]!.push(record)
    }
  }
  const baselineKey = baseline ? configurationKey(baseline.params) : null
  const configurations: ConfirmedConfiguration[] = finalists.map((finalist, index) => {
    const measured = rounds[index]!
    const failed = measured.find((item) => item.status !== 'passed' || item.latencyMs === null)
    const noisyRounds = measured.filter(isNoisy).length
    const complete = !failed && measured.length === confirm.rounds && noisyRounds === 0
    const roundMediansMs = measured.filter((item) => item.latencyMs !== null).map((item) => item.latencyMs!)
    return {
      params: finalist.params,
      searchMedianMs: finalist.latencyMs!,
      confirmedMedianMs: complete ? median(roundMediansMs) : null,
      roundMediansMs,
      trials: measured.reduce((sum, item) => sum + (item.timing?.trials ?? 0), 0),
      isDefault: configurationKey(finalist.params) === baselineKey,
      noisyRounds,
      error:
        failed?.error ??
        (noisyRounds > 0
          ? {
              stage: 'timing',
              message: `could not confirm: ${noisyRounds} of ${measured.length} round(s) stayed noisy after ${MAX_QUIET_RETRIES} re-timings each (spread too large to trust the median); measure on a quieter machine`,
            }
          : complete
            ? null
            : { stage: 'cancelled', message: 'the confirmation round was cancelled before every round ran' }),
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
    const representative = measured.reduce((best, item) =>
      Math.abs(item.latencyMs! - first!.confirmedMedianMs!) < Math.abs(best.latencyMs! - first!.confirmedMedianMs!) ? item : best,
    )
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
