import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { AppError, type VenvPlan, type VenvProgress } from '../../../agents/contract/index.ts'
import type { HostBasics } from '../services.ts'

/** pip resolves and downloads torch (200 MB CPU, several GB CUDA); an hour covers a slow link. */
const CREATE_TIMEOUT_MS = 60 * 60_000
const PLAN_TIMEOUT_MS = 30_000
const STAGES: Array<VenvProgress['stage']> = ['venv', 'torch', 'packages']

/**
 * The project's own environment (.venv), made by scripts/python-env.mjs: the same code `npm start`
 * runs in the terminal, so the first-run screen and the terminal install the same torch build.
 */
export class ProjectVenv {
  private creating: Promise<string> | null = null

  constructor(private readonly deps: Pick<HostBasics, 'paths' | 'processes' | 'events'>) {}

  private get script(): string {
    return join(this.deps.paths.appRoot, 'scripts', 'python-env.mjs')
  }

  get python(): string {
    return join(this.deps.paths.appRoot, '.venv', 'bin', 'python')
  }

  /** Node for the script: inside Electron, its binary runs as plain Node with ELECTRON_RUN_AS_NODE. */
  private node(): { file: string; env: NodeJS.ProcessEnv } {
    return { file: process.execPath, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }
  }

  async plan(): Promise<VenvPlan> {
    const { file, env } = this.node()
    const result = await this.deps.processes.run({ label: 'venv plan', file, args: [this.script, 'plan'], env, timeoutMs: PLAN_TIMEOUT_MS })
    if (result.code !== 0)
      throw new AppError('VENV_PLAN_FAILED', `Could not work out which torch build fits this machine: ${result.stderr.trim() || `exit code ${result.code}`}`)
    const plan = JSON.parse(result.stdout) as Omit<VenvPlan, 'ready'>
    const check = existsSync(this.python)
      ? await this.deps.processes.run({ label: 'venv torch check', file: this.python, args: ['-c', 'import torch'], timeoutMs: 60_000 })
      : null
    return { ...plan, ready: check?.code === 0 }
  }

  /** Creates the venv once at a time; a second caller waits for the first. Resolves with its python. */
  create(): Promise<string> {
    this.creating ??= this.run().finally(() => (this.creating = null))
    return this.creating
  }

  private async run(): Promise<string> {
    const { file, env } = this.node()
    const managed = this.deps.processes.spawnChild({
      label: 'create project venv',
      file,
      args: [this.script, 'create', '--json'],
      env,
      cwd: this.deps.paths.appRoot,
    })
    managed.child.stdin.end()
    const started = Date.now()
    let stderr = ''
    let buffered = ''
    managed.child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        try {
          const progress = JSON.parse(line) as { stage: VenvProgress['stage']; line: string; elapsedMs: number }
          const step = Math.max(0, STAGES.indexOf(progress.stage)) + (progress.stage === 'done' ? STAGES.length : 1)
          this.deps.events.emit('venv-progress', { ...progress, step: Math.min(step, STAGES.length), steps: STAGES.length })
        } catch {
          // Not a progress line; the script prints only those.
        }
      }
    })
    managed.child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000)
    })
    const timer = setTimeout(() => void managed.stop(0), CREATE_TIMEOUT_MS)
    const exit = await managed.exited
    clearTimeout(timer)
    if (exit.code !== 0) {
      const message = stderr.trim().split('\n').pop() || `the setup script exited with ${exit.code ?? exit.signal}`
      this.deps.events.emit('venv-progress', { stage: 'error', line: message, elapsedMs: Date.now() - started, step: 0, steps: STAGES.length })
      throw new AppError('VENV_CREATE_FAILED', `The project environment was not created: ${message}`, { stderr })
    }
    return this.python
  }
}
