import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from './temp-host.ts'

export interface RunningStudio {
  /** The URL printed by `npm run serve`, token included. */
  openUrl: string
  dataDir: string
  output: () => string
  stop(): Promise<void>
}

/** Seconds allowed for serve to build (if stale) and print its URL on a slow two-core machine. */
const START_TIMEOUT_MS = 150_000

/** Starts the real backend in browser mode, exactly as `npm run serve` does, on a free port. */
export async function startStudio(env: Record<string, string> = {}): Promise<RunningStudio> {
  const dataDir = mkdtempSync(join(tmpdir(), 'akg-e2e-'))
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'scripts', 'serve.mjs'), '--port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, AKG_STUDIO_HOME: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  const openUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in time:\n${output}`)), START_TIMEOUT_MS)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /ready: (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)))
  })
  return {
    openUrl,
    dataDir,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        process.kill(-child.pid, 'SIGTERM')
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))])
        if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL')
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
