import { event } from './define.ts'
import type { BenchSummary } from './bench.ts'
import type { ManualPrompt, ModelPullProgress } from './providers.ts'
import type { RunnerStatus } from './runner.ts'
import type { SessionData, SessionExit } from './sessions.ts'
import type { RunEvent } from './runs.ts'
import type { ToolchainReport, VenvProgress } from './toolchain.ts'
import type { TuneProgressEvent, TuneSession } from './tuner.ts'

/** Events flow from the backend to every connected client. Names are noun-verb. */
export const events = {
  'toolchain-detect-end': event<ToolchainReport>(),
  /** One line of toolchain.createVenv's work (creating .venv, installing torch, the harness's packages). */
  'venv-progress': event<VenvProgress>(),
  /** Every RunEvent of every run executing in this backend, live; text deltas arrive coalesced (~50 ms). */
  'run-event': event<RunEvent>(),
  /** A bench's progress: sent when it starts, after each task's run ends, and when it ends. */
  'bench-progress': event<BenchSummary>(),
  /** The runner's workers, queue and hosts; sent at most every 100 ms while something changes. */
  'runner-status': event<RunnerStatus>(),
  /** A terminal's output, batched per frame; the client acknowledges it with sessions.ack once drawn. */
  'session-data': event<SessionData>(),
  'session-exit': event<SessionExit>(),
  /** A tuning session started (tuner.start); the session has no records yet. */
  'tune-start': event<TuneSession>(),
  /** One configuration of a tuning session was evaluated (skipped configurations are not sent). */
  'tune-progress': event<TuneProgressEvent>(),
  /** A tuning session ended (finished, failed or cancelled), with every record. */
  'tune-end': event<TuneSession>(),
  /** One line of an Ollama model download (providers.pull). */
  'model-pull-progress': event<ModelPullProgress>(),
  /** A manual provider wrote a prompt and waits for its answer. */
  'manual-prompt-start': event<ManualPrompt>(),
  /** A manual prompt was answered or cancelled. */
  'manual-prompt-end': event<{ id: string; answered: boolean }>(),
}
