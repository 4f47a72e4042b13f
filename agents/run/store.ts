import type { RunEvent } from '../contract/runs.ts'

/**
 * Where a run's log and artifacts live; the host implements it on disk (main/host/runs),
 * tests in memory (agents/testing/memory-store.ts). Paths are relative to the run's folder.
 */
export interface RunStore {
  /** Appends one event to the log; durable after the next flush(). */
  append(event: RunEvent): Promise<void>
  /** Makes every appended event durable (fsync); called at each step end and at run end. */
  flush(): Promise<void>
  writeArtifact(relativePath: string, content: string): Promise<void>
  readArtifact(relativePath: string): Promise<string | null>
  /** The absolute path a harness worker can open (candidates are files the harness imports). */
  absolutePath(relativePath: string): string
}
