import type { RunEvent } from '../contract/runs.ts'

/**
 * Where a run's log and artifacts live; the host implements it on disk (main/host/runs),
 * tests in memory. Paths are relative to the run's folder.
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

/** A RunStore in memory, for unit tests and dry runs. */
export class MemoryRunStore implements RunStore {
  readonly events: RunEvent[] = []
  readonly artifacts = new Map<string, string>()
  flushes = 0

  constructor(private readonly root = '/memory/run') {}

  async append(event: RunEvent): Promise<void> {
    this.events.push(event)
  }

  async flush(): Promise<void> {
    this.flushes += 1
  }

  async writeArtifact(relativePath: string, content: string): Promise<void> {
    this.artifacts.set(relativePath, content)
  }

  async readArtifact(relativePath: string): Promise<string | null> {
    return this.artifacts.get(relativePath) ?? null
  }

  absolutePath(relativePath: string): string {
    return `${this.root}/${relativePath}`
  }
}
