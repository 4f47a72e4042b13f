import type { Handlers } from '../host/dispatch.ts'
import type { Host } from '../host/host.ts'

/** What every command gets: the same host and handlers the app's front doors use. */
export interface CliContext {
  host: Host
  handlers: Handlers
  json: boolean
  out: (line: string) => void
  error: (line: string) => void
}

export interface Command {
  name: string
  usage: string
  summary: string
  /** Returns the exit code. */
  run(args: string[], context: CliContext): Promise<number>
}
