import type { EnvironmentList } from '../../../agents/contract/toolchain.ts'
import { AppError } from '../../../agents/contract/result.ts'
import type { HarnessRunner } from '../runner/harness-runner.ts'
import type { HostBasics } from '../services.ts'
import type { Settings } from '../settings.ts'
import { findInterpreters, interpreterExists } from './environments.ts'

/**
 * What the manager is built from: the settings it keeps the choice in, the processes that check an
 * interpreter, detection to refresh and the runner whose local workers restart on a change.
 */
export type ToolchainDependencies = Pick<HostBasics, 'paths' | 'processes' | 'settings' | 'python'> & {
  detectToolchain: (options: { refresh: boolean }) => Promise<unknown>
  runner: Pick<HarnessRunner, 'resetHost' | 'warm'>
}

/** Interpreters the user added by path (toolchain/settings.ts). */
const addedInterpreters = (settings: Settings): string[] => settings.toolchain?.added ?? []

/** Confirms a path is a Python the harness can use before it is saved, with the reason when not. */
async function checkInterpreter(host: Pick<HostBasics, 'processes'>, python: string): Promise<void> {
  if (!python.startsWith('/'))
    throw new AppError('TOOLCHAIN_NOT_ABSOLUTE', `Give the full path of the interpreter (for example /opt/conda/envs/kernels/bin/python), not ${python}.`)
  if (!interpreterExists(python)) throw new AppError('TOOLCHAIN_NOT_FOUND', `There is no file at ${python}.`)
  const result = await host.processes.run({
    label: 'python check',
    file: python,
    args: ['-c', 'import sys; print(sys.version_info >= (3, 9))'],
    timeoutMs: 20_000,
  })
  if (result.spawnError) throw new AppError('TOOLCHAIN_NOT_RUNNABLE', `${python} could not be started: ${result.spawnError}.`)
  if (result.stdout.trim() !== 'True')
    throw new AppError('TOOLCHAIN_TOO_OLD', `${python} is not Python 3.9 or newer (the harness needs 3.9+).`, { stderr: result.stderr.slice(-2000) })
}

/** Lists, adds and selects the Python environments of this machine; the selection persists in settings. */
export class ToolchainManager {
  constructor(private readonly deps: ToolchainDependencies) {}

  async list(): Promise<EnvironmentList> {
    const added = addedInterpreters(await this.deps.settings.read())
    const selected = await this.deps.python()
    const found = findInterpreters(this.deps.paths.appRoot, added)
    if (!found.some((entry) => entry.python === selected)) found.unshift({ python: selected, source: 'added', prefix: null })
    return {
      host: 'local',
      selected,
      environments: found.map((entry) => ({ ...entry, selected: entry.python === selected })),
    }
  }

  async add(python: string): Promise<EnvironmentList> {
    await checkInterpreter(this.deps, python)
    await this.deps.settings.update((current) => {
      const before = addedInterpreters(current)
      const added = before.includes(python) ? before : [...before, python]
      return { ...current, toolchain: { ...current.toolchain, added } }
    })
    return this.list()
  }

  async select(python: string): Promise<EnvironmentList> {
    await checkInterpreter(this.deps, python)
    await this.deps.settings.update((current) => ({ ...current, python }))
    // Workers run the old interpreter: detection and the runner start over with the new one, now.
    void this.deps.detectToolchain({ refresh: true }).catch(() => undefined)
    await this.deps.runner.resetHost('local')
    void this.deps.runner.warm('local').catch(() => undefined)
    return this.list()
  }
}
