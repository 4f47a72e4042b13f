import type { Clock, EvaluateRequest, Runner, Verdict, VerdictStatus } from '../ports/index.ts'

/** A verdict as the harness would write it, for tests. */
export function makeVerdict(status: VerdictStatus, options: { medianMs?: number; eagerMs?: number; message?: string; noisy?: boolean } = {}): Verdict {
  const stats = (median: number) => ({ median_ms: median, mean_ms: median, min_ms: median, max_ms: median, iqr_ms: 0, std_ms: 0, trials: 10 })
  const correct = status === 'passed'
  const eager = options.eagerMs ?? 1
  const median = options.medianMs ?? 1
  return {
    schema_version: 2,
    status,
    correct,
    checks: [{ name: 'correctness', passed: correct, detail: correct ? null : 'outputs differ' }],
    error:
      correct || status === 'incorrect' ? null : { stage: status === 'compile_error' ? 'build' : 'run', message: options.message ?? `${status} in candidate` },
    correctness: { trials: 3, max_abs_error: correct ? 0 : 1.5, max_rel_error: correct ? 0 : 1, mismatch_ratio: correct ? 0 : 0.5 },
    timing: correct
      ? {
          candidate: stats(median),
          eager: stats(eager),
          compile: stats(eager * 0.9),
          speedup_vs_eager: eager / median,
          speedup_vs_compile: (eager * 0.9) / median,
        }
      : null,
    roofline: null,
    flags: options.noisy ? [{ name: 'noisy_timing', detail: 'candidate IQR 80% of the median' }] : [],
  }
}

/**
 * A Runner that decides a verdict from the candidate's file name and contents through a judge
 * function; it reads code through the injected reader, since agents/ cannot touch the disk.
 */
export class FakeRunner implements Runner {
  readonly requests: EvaluateRequest[] = []
  inFlight = 0
  maxInFlight = 0

  constructor(
    private readonly judge: (request: EvaluateRequest, code: string) => Verdict,
    private readonly read: (path: string) => string,
    private readonly slots = 4,
    private readonly clock?: Clock,
  ) {}

  capacity(): number {
    return this.slots
  }

  async evaluate(request: EvaluateRequest, signal?: AbortSignal): Promise<Verdict> {
    this.requests.push(request)
    this.inFlight += 1
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    try {
      // Yield to the event loop so concurrent evaluations really overlap.
      await (this.clock ? this.clock.sleep(1, signal) : new Promise((resolve) => setTimeout(resolve, 0)))
      if (signal?.aborted) throw new Error('cancelled')
      return this.judge(request, this.read(request.candidatePath))
    } finally {
      this.inFlight -= 1
    }
  }
}

/** A clock the test advances by hand; sleep resolves on the next tick and moves time forward. */
export class ManualClock implements Clock {
  constructor(public time = Date.parse('2026-11-21T09:00:00Z')) {}
  now(): number {
    return this.time
  }
  async sleep(ms: number): Promise<void> {
    this.time += ms
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
}
