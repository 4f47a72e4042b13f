import type { RunEvent } from '../contract/runs.ts'
import type { RunStore } from '../run/store.ts'

/** A RunStore in memory, for unit tests. */
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
