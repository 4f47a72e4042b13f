import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { temporaryHost } from '../../../test/helpers/temp-host.ts'
import { ProcessManager } from './process-manager.ts'

const table = () => execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' })
const mentions = (marker: string) =>
  table()
    .split('\n')
    .filter((line) => /sleep 100\d/.test(line) && line.includes(marker))

describe('the process manager', () => {
  it('shares one stop between callers: asks with SIGTERM, forces with SIGKILL after the deadline', async () => {
    const processes = new ProcessManager()
    // A child that ignores SIGTERM: only the forced kill ends it.
    const stubborn = processes.spawnChild({ label: 'stubborn', file: 'bash', args: ['-c', 'trap "" TERM; echo up; while :; do sleep 0.1; done'] })
    await new Promise((resolve) => stubborn.child.stdout.once('data', resolve))
    expect(stubborn.state).toBe('running')
    const started = Date.now()
    const [first, second] = await Promise.all([stubborn.stop(400), stubborn.stop(400)])
    expect(first).toBe(second)
    expect(first).toMatchObject({ signal: 'SIGKILL', requested: true })
    expect(Date.now() - started).toBeGreaterThanOrEqual(350)
    expect(stubborn.state).toBe('stopped')
  })

  it('marks a child that dies on its own as crashed, and a job past its deadline as timed out', async () => {
    const processes = new ProcessManager()
    const dying = processes.spawnChild({ label: 'dying', file: 'bash', args: ['-c', 'exit 7'] })
    await expect(dying.exited).resolves.toMatchObject({ code: 7, requested: false })
    expect(dying.state).toBe('crashed')
    const job = await processes.run({ label: 'slow job', file: 'sleep', args: ['30'], timeoutMs: 300 })
    expect(job).toMatchObject({ timedOut: true, signal: 'SIGKILL' })
    const missing = await processes.run({ label: 'missing', file: '/no/such/program', args: [], timeoutMs: 1_000 })
    expect(missing.spawnError).toMatch(/ENOENT/)
  })

  it('leaves no process behind when the host shuts down, even one that left its process group', async () => {
    const context = temporaryHost()
    // sleep takes fractional seconds: the pid as the fraction marks our sleeps in the process table.
    const marker = `.${process.pid}`
    const session = context.host.sessions.open({ shell: '/bin/bash', cwd: context.dataDir })
    // One helper in the shell's group, one in a session of its own (setsid), as a daemonising tool would.
    context.host.sessions.get(session.id).write(`sleep 1001${marker} & setsid sleep 1002${marker} &\r`)
    const helper = context.host.processes.spawnChild({ label: 'helper', file: 'bash', args: ['-c', `setsid sleep 1003${marker} & wait`] })
    await expect.poll(() => mentions(marker).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3)
    expect(helper.state).toBe('running')
    await context.dispose()
    // The sweep's SIGKILL reaches a process that left our tree (setsid) without waiting for it: the
    // kernel still lists it until it is scheduled to exit, which a loaded machine can delay.
    await expect.poll(() => mentions(marker), { timeout: 10_000 }).toEqual([])
  })
})
