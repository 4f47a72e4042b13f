import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SessionExit } from '../../../agents/contract/sessions.ts'
import { ProcessManager } from '../process/process-manager.ts'
import { FLOW_HIGH_WATERMARK } from './flow-control.ts'
import { SessionManager } from './session-manager.ts'

/** Processes of a process group, from the real process table. */
const groupMembers = (pgid: number) =>
  execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => Number(fields[1]) === pgid)

describe('terminal sessions on a real pty', () => {
  let folder: string
  let processes: ProcessManager
  let sessions: SessionManager
  let received: Map<string, string[]>
  let exits: SessionExit[]

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'akg-pty-'))
    processes = new ProcessManager()
    received = new Map()
    exits = []
    sessions = new SessionManager(processes, join(folder, 'sessions'), {
      data: (id, data) => received.set(id, [...(received.get(id) ?? []), data]),
      exit: (exit) => exits.push(exit),
    })
  })

  afterEach(async () => {
    await processes.shutdown(500)
    rmSync(folder, { recursive: true, force: true })
  })

  const output = (id: string) => (received.get(id) ?? []).join('')
  const outputLength = (id: string) => (received.get(id) ?? []).reduce((sum, chunk) => sum + chunk.length, 0)

  it('runs a command typed into a shell and logs the session to a file', async () => {
    const info = sessions.open({ shell: '/bin/bash', cwd: folder, cols: 100, rows: 30 })
    sessions.get(info.id).write('echo "answer=$((6*7))"\r')
    await expect.poll(() => output(info.id), { timeout: 10_000 }).toContain('answer=42')
    sessions.get(info.id).write('exit 3\r')
    await expect.poll(() => exits.find((exit) => exit.id === info.id), { timeout: 10_000 }).toMatchObject({ exitCode: 3 })
    expect(sessions.get(info.id).info()).toMatchObject({ state: 'exited', exitCode: 3 })
    await expect.poll(() => existsSync(info.logPath) && readFileSync(info.logPath, 'utf8'), { timeout: 5_000 }).toContain('answer=42')
  })

  it('pauses a flood at the high watermark, holds memory flat, and resumes on acknowledgement', async () => {
    const info = sessions.open({ shell: '/bin/bash', cwd: folder })
    const session = sessions.get(info.id)
    session.write('yes "$(printf %0100d 0)"\r')
    await expect.poll(() => session.info().paused, { timeout: 10_000 }).toBe(true)
    // Nobody acknowledges: after the pause, nothing more arrives however long `yes` runs.
    const heapBefore = process.memoryUsage().heapUsed
    const atPause = outputLength(info.id)
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    const slack = 128 * 1024
    expect(outputLength(info.id)).toBeLessThan(atPause + slack)
    expect(session.inFlight).toBeLessThan(FLOW_HIGH_WATERMARK + slack)
    expect(session.bufferedCharacters).toBeLessThan(1024 * 1024)
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024)

    // The screen catches up: output flows again, then stops again at the watermark.
    const beforeAck = outputLength(info.id)
    session.acknowledge(session.inFlight)
    expect(session.info().paused).toBe(false)
    await expect.poll(() => outputLength(info.id), { timeout: 10_000 }).toBeGreaterThan(beforeAck + 50_000)
    await expect.poll(() => session.info().paused, { timeout: 10_000 }).toBe(true)

    const pgid = info.pid as number
    expect(groupMembers(pgid).length).toBeGreaterThan(0)
    await sessions.close(info.id)
    expect(groupMembers(pgid)).toEqual([])
  })

  it('refuses a folder that does not exist with a message that names it', () => {
    expect(() => sessions.open({ cwd: join(folder, 'nowhere') })).toThrow(/nowhere does not exist/)
  })
})
