import { describe, expect, it } from 'vitest'
import { confirmFinalists, MAX_QUIET_RETRIES } from './confirm.ts'
import type { ResolvedConfirm } from './select.ts'
import type { Configuration, EvaluationRecord } from './types.ts'

const confirm: ResolvedConfirm = { enabled: true, top: 2, includeDefault: false, rounds: 3, timingTrials: 10 }

function record(params: Configuration, latencyMs: number, noisy: boolean): EvaluationRecord {
  return {
    index: 0,
    params,
    status: 'passed',
    latencyMs,
    verdict: 'passed',
    error: null,
    rung: 0,
    timingTrials: 10,
    durationMs: 1,
    timing: { median_ms: latencyMs, mean_ms: latencyMs, min_ms: latencyMs, max_ms: latencyMs, iqr_ms: noisy ? latencyMs : 0, std_ms: 0, trials: 10, noisy },
  }
}

const finalists = [record({ BLOCK: 64 }, 0.75, false), record({ BLOCK: 128 }, 1.0, false)]

describe('confirmation rounds are quiet or say they could not be', () => {
  it('re-times a noisy round until it is quiet, and only quiet medians pick the winner', async () => {
    const calls: Array<[number, number]> = []
    // BLOCK 64 looks fast only in its noisy rounds; quiet, it is slower than 128.
    const remeasure = async (params: Configuration, _trials: number, round: number) => {
      calls.push([params.BLOCK as number, round])
      const attempt = calls.filter(([block, r]) => block === params.BLOCK && r === round).length
      if (params.BLOCK === 64) return attempt === 1 ? record(params, 0.5, true) : record(params, 1.2, false)
      return record(params, 1.0, false)
    }
    const { confirmation, winner } = await confirmFinalists(finalists, null, confirm, remeasure, () => false)
    expect(winner!.params.BLOCK).toBe(128)
    const fast = confirmation.configurations.find((item) => item.params.BLOCK === 64)!
    expect(fast.roundMediansMs).toEqual([1.2, 1.2, 1.2])
    expect(fast.noisyRounds).toBe(0)
    expect(confirmation.runnerCalls).toBe(3 * 2 + 3)
  })

  it('says it could not confirm when a round stays noisy', async () => {
    const remeasure = async (params: Configuration) => record(params, params.BLOCK === 64 ? 0.5 : 1.0, params.BLOCK === 64)
    const { confirmation, winner } = await confirmFinalists(finalists, null, confirm, remeasure, () => false)
    expect(winner!.params.BLOCK).toBe(128)
    const noisy = confirmation.configurations.find((item) => item.params.BLOCK === 64)!
    expect(noisy.confirmedMedianMs).toBeNull()
    expect(noisy.noisyRounds).toBe(3)
    expect(noisy.error!.message).toContain(`stayed noisy after ${MAX_QUIET_RETRIES} re-timings`)
    expect(confirmation.runnerCalls).toBe(3 * (1 + MAX_QUIET_RETRIES) + 3)
  })
})
