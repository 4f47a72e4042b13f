import type { Clock } from '../ports/index.ts'
import type { EvaluateRequest, Runner, Verdict } from '../ports/runner.ts'
import type { Configuration } from './types.ts'

/**
 * A runner over a synthetic objective, for tests of the search itself: `objective` gives a latency
 * in milliseconds, or a string for a configuration that breaks correctness. The clock advances by
 * `msPerEvaluation` on each evaluation so minute budgets are testable without waiting.
 */
export function syntheticRunner(
  objective: (params: Configuration) => number | string,
  options: { clock?: ManualClock; msPerEvaluation?: number; capacity?: number; profile?: (params: Configuration) => Record<string, number> } = {},
): Runner & { requests: EvaluateRequest[] } {
  const requests: EvaluateRequest[] = []
  return {
    requests,
    capacity: () => options.capacity ?? 1,
    async evaluate(request) {
      requests.push(request)
      if (options.clock) options.clock.advance(options.msPerEvaluation ?? 1000)
      const outcome = objective(request.params ?? {})
      const trials = request.timingTrials ?? 0
      if (typeof outcome === 'string') {
        return verdict('incorrect', false, null, [{ name: 'allclose', passed: false, detail: outcome }])
      }
      const stats = { median_ms: outcome, mean_ms: outcome, min_ms: outcome, max_ms: outcome, iqr_ms: 0, std_ms: 0, trials }
      const passed = verdict('passed', true, trials > 0 ? stats : null, [{ name: 'allclose', passed: true }])
      return options.profile ? { ...passed, profile: options.profile(request.params ?? {}) } : passed
    },
  }
}

function verdict(
  status: Verdict['status'],
  correct: boolean,
  candidate: NonNullable<Verdict['timing']>['candidate'] | null,
  checks: Verdict['checks'],
): Verdict {
  return {
    schema_version: 2,
    status,
    correct,
    checks,
    error: null,
    timing: candidate ? { candidate, eager: null, compile: null, speedup_vs_eager: null, speedup_vs_compile: null } : null,
    flags: [],
  }
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  private time = 0
  now(): number {
    return this.time
  }
  advance(ms: number): void {
    this.time += ms
  }
  async sleep(ms: number): Promise<void> {
    this.time += ms
  }
}
