import { event } from './define.ts'
import type { BenchSummary } from './bench.ts'
import type { RunnerStatus } from './runner.ts'
import type { SessionData, SessionExit } from './sessions.ts'
import type { RunEvent } from './runs.ts'
import type { ToolchainReport } from './toolchain.ts'

/** Events flow from the backend to every connected client. Names are noun-verb. */
export const events = {
  'toolchain-detect-end': event<ToolchainReport>(),
  /** Every RunEvent of every run executing in this backend, live; text deltas arrive coalesced (~50 ms). */
  'run-event': event<RunEvent>(),
  /** A bench's progress: sent when it starts, after each task's run ends, and when it ends. */
  'bench-progress': event<BenchSummary>(),
  /** The runner's workers, queue and hosts; sent at most every 100 ms while something changes. */
  'runner-status': event<RunnerStatus>(),
  /** A terminal's output, batched per frame; the client acknowledges it with sessions.ack once drawn. */
  'session-data': event<SessionData>(),
  'session-exit': event<SessionExit>(),
}
