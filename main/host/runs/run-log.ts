import { readFile, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError, type RunEvent } from '../../../agents/contract/index.ts'
import { eventProblem } from '../../../agents/run/event-check.ts'
import { runFolder } from '../../../agents/contract/registry.ts'

export const LOG_FILE = runFolder.log

/** What a run's log holds: its events, and how many bytes of it end on a whole line. */
export interface RunLog {
  events: RunEvent[]
  /** Bytes up to the end of the last newline-terminated line. */
  wholeBytes: number
  /** Bytes after that: a line a crash cut off before its newline (never committed). */
  tornBytes: number
}

/**
 * Reads and checks every line of a run's log. Only an unterminated last line (an append cut off
 * by a crash, or one a live writer is still making) is set aside; any other line that is not the
 * next event of this run stops the read with an error naming the line, since the events after it
 * are committed and must not be hidden or cut.
 */
export async function readRunLog(folder: string, runId: string): Promise<RunLog> {
  const path = join(folder, LOG_FILE)
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], wholeBytes: 0, tornBytes: 0 }
    throw new AppError('RUN_UNREADABLE', `Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, { path })
  }
  const wholeBytes = bytes.lastIndexOf(0x0a) + 1
  const lines = bytes.subarray(0, wholeBytes).toString('utf8').split('\n')
  lines.pop()
  const events: RunEvent[] = []
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue
    let value: unknown
    let problem: string | null
    try {
      value = JSON.parse(line)
      problem = eventProblem(value, { runId, seq: events.length })
    } catch (error) {
      problem = `it is not JSON (${error instanceof Error ? error.message : String(error)})`
    }
    if (problem) throw corruptLine(path, index + 1, lines.length, problem)
    events.push(value as RunEvent)
  }
  return { events, wholeBytes, tornBytes: bytes.length - wholeBytes }
}

function corruptLine(path: string, line: number, lines: number, problem: string): AppError {
  const after = lines - line
  return new AppError(
    'RUN_LOG_CORRUPT',
    `Line ${line} of ${path} is not a run event: ${problem}. ${after > 0 ? `The ${after} line${after === 1 ? '' : 's'} after it ${after === 1 ? 'is' : 'are'} kept; ` : ''}the log was left as it was. Restore or remove that line (keep a copy) and try again.`,
    { path, line },
  )
}

/** Drops a cut-off last line so appends continue on a line of their own; nothing terminated is touched. */
export async function dropTornLine(folder: string, log: RunLog): Promise<void> {
  if (log.tornBytes > 0) await truncate(join(folder, LOG_FILE), log.wholeBytes)
}
