import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot, temporaryHost } from '../../../test/helpers/temp-host.ts'
import { ProcessManager } from '../process/process-manager.ts'
import { HarnessRunner } from '../runner/harness-runner.ts'
import { SshWorkerHost, type SshHostConfig } from './ssh-host.ts'

const python = join(repoRoot, '.venv', 'bin', 'python')
const harnessDir = join(repoRoot, 'resources', 'harness')
const relayScript = join(import.meta.dirname, 'relay.py')
const task = join(harnessDir, 'tests', 'fixtures', 'tasks', 'vector_add.py')
const candidate = join(harnessDir, 'tests', 'fixtures', 'candidates', 'triton', 'add_correct.py')

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })

/** A real sshd on loopback, run by this test as the current user, with keys made for it. */
async function startSshd(folder: string): Promise<{ port: number; key: string; process: ChildProcess }> {
  for (const name of ['host_key', 'user_key']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(folder, name)])
  writeFileSync(join(folder, 'authorized_keys'), readFileSync(join(folder, 'user_key.pub')), { mode: 0o600 })
  const port = await freePort()
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(folder, 'host_key')}`,
    `PidFile ${join(folder, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(folder, 'authorized_keys')}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin yes',
    'LogLevel ERROR',
  ]
  writeFileSync(join(folder, 'sshd_config'), `${config.join('\n')}\n`)
  // Running as root, sshd insists on its privilege separation folder.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })
  const sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(folder, 'sshd_config')], { stdio: 'ignore', detached: true })
  const deadline = Date.now() + 15_000
  while (!(await accepts(port))) {
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { port, key: join(folder, 'user_key'), process: sshd }
}

describe('a runner on an SSH host', () => {
  let folder: string
  let sshd: Awaited<ReturnType<typeof startSshd>>
  let processes: ProcessManager

  const hostConfig = (overrides: Partial<SshHostConfig> = {}): SshHostConfig => ({
    name: 'loopback',
    destination: `${userInfo().username}@127.0.0.1`,
    port: sshd.port,
    python,
    cpuSlots: 1,
    cacheDir: join(folder, 'remote-cache'),
    sshOptions: [
      '-F',
      '/dev/null',
      '-i',
      sshd.key,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `UserKnownHostsFile=${join(folder, 'known_hosts')}`,
      '-o',
      'StrictHostKeyChecking=accept-new',
    ],
    ...overrides,
  })

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'akg-ssh-'))
    sshd = await startSshd(folder)
    processes = new ProcessManager()
  })

  afterAll(async () => {
    await processes?.shutdown(500)
    if (sshd?.process.pid) process.kill(-sshd.process.pid, 'SIGKILL')
    rmSync(folder, { recursive: true, force: true })
  })

  it('ships the harness and the files over ssh -tt and returns the real verdict', async () => {
    // The relay and the harness it started carry the remote cache folder in their command line or environment.
    const leftovers = () =>
      readdirSync('/proc')
        .filter((name) => /^\d+$/.test(name))
        .filter((pid) => {
          try {
            return `${readFileSync(`/proc/${pid}/cmdline`, 'latin1')}${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(join(folder, 'remote-cache'))
          } catch {
            return false
          }
        })
    const host = new SshWorkerHost(hostConfig(), processes, harnessDir, relayScript)
    const runner = new HarnessRunner({ hosts: [host] })
    try {
      const verdict = await runner.evaluate({
        taskPath: task,
        candidatePath: candidate,
        dsl: 'triton',
        device: 'loopback:cpu',
        timeoutSeconds: 180,
        timingTrials: 3,
      })
      expect(verdict.status).toBe('passed')
      expect(verdict.correct).toBe(true)
      // The harness read the copies the relay wrote on the host, not our files.
      const remoteCandidate = (verdict as unknown as { candidate: string }).candidate
      expect(remoteCandidate).not.toBe(candidate)
      expect(remoteCandidate).toMatch(/akg-studio-.*add_correct\.py$/)
      expect(runner.status().workers).toMatchObject([{ key: 'loopback:cpu#0', host: 'loopback', state: 'idle', evaluations: 1 }])
      expect(leftovers().length).toBeGreaterThan(0)
    } finally {
      await runner.stop()
    }
    // Stopping the worker ended the ssh session, the relay and the harness behind it (a loaded machine
    // can take seconds to reap the executor and its warm spares).
    await expect.poll(leftovers, { timeout: 30_000 }).toEqual([])
  }, 120_000)

  it('says the host cannot be reached when nothing listens there', async () => {
    const host = new SshWorkerHost(hostConfig({ port: await freePort() }), processes, harnessDir, relayScript)
    await expect(host.discover()).rejects.toThrow(/Cannot reach .*127\.0\.0\.1 over SSH/)
  })

  it('says Python is missing on the host', async () => {
    const host = new SshWorkerHost(hostConfig({ python: '/opt/no-such-python/bin/python3' }), processes, harnessDir, relayScript)
    await expect(host.discover()).rejects.toThrow(/Python was not found on loopback/)
  })

  it('keeps an SSH host added through runner.addHost in settings and shows why it is unreachable', async () => {
    const context = temporaryHost()
    try {
      const port = await freePort()
      const status = await context.handlers['runner.addHost'](
        { name: 'gpu-box', destination: '127.0.0.1', port, sshOptions: ['-F', '/dev/null', '-o', 'BatchMode=yes'] },
        { transport: 'cli' },
      )
      expect(status.hosts.find((host) => host.name === 'gpu-box')).toMatchObject({
        kind: 'ssh',
        state: 'error',
        error: expect.stringMatching(/Cannot reach 127\.0\.0\.1/),
      })
      const saved = JSON.parse(readFileSync(join(context.dataDir, 'settings.json'), 'utf8'))
      expect(saved.sshHosts).toEqual([{ name: 'gpu-box', destination: '127.0.0.1', port, sshOptions: ['-F', '/dev/null', '-o', 'BatchMode=yes'] }])
      const removed = await context.handlers['runner.removeHost']({ name: 'gpu-box' }, { transport: 'cli' })
      expect(removed.hosts.map((host) => host.name)).toEqual(['local'])
    } finally {
      await context.dispose()
    }
  })
})
