import { z } from 'zod'
import type { EnvironmentList } from '../../../agents/contract/toolchain.ts'
import { AppError } from '../../../agents/contract/result.ts'
import type { Host } from '../host.ts'
import { findInterpreters, interpreterExists } from './environments.ts'

/** Toolchain choices kept in settings.json under `toolchain` (the settings schema passes unknown keys through). */
const toolchainSettings = z
  .object({
    /** Interpreters the user added by path. */
    added: z.array(z.string()).default([]),
  })
  .default({ added: [] })

const readToolchainSettings = async (host: Host) => toolchainSettings.parse((await host.settings.read() as { toolchain?: unknown }).toolchain ?? undefined)

/** Confirms a path is a Python the harness can use before it is saved, with the reason when not. */
async function checkInterpreter(host: Host, python: string): Promise<void> {
  if (!python.startsWith('/')) throw new AppError('TOOLCHAIN_NOT_ABSOLUTE', `Give the full path of the interpreter (for example /opt/conda/envs/kernels/bin/python), not ${python}.`)
  if (!interpreterExists(python)) throw new AppError('TOOLCHAIN_NOT_FOUND', `There is no file at ${python}.`)
  const result = await host.processes.run({ label: 'python check', file: python, args: ['-c', 'import sys; print(sys.version_info >= (3, 9))'], timeoutMs: 20_000 })
  if (result.spawnError) throw new AppError('TOOLCHAIN_NOT_RUNNABLE', `${python} could not be started: ${result.spawnError}.`)
  if (result.stdout.trim() !== 'True') throw new AppError('TOOLCHAIN_TOO_OLD', `${python} is not Python 3.9 or newer (the harness needs 3.9+).`, { stderr: result.stderr.slice(-2000) })
}

/** Lists, adds and selects the Python environments of this machine; the selection persists in settings. */
export class ToolchainManager {
  constructor(private readonly host: Host) {}

  async list(): Promise<EnvironmentList> {
    const settings = await readToolchainSettings(this.host)
    const selected = await this.host.python()
    const found = findInterpreters(this.host.paths.appRoot, settings.added)
    if (!found.some((entry) => entry.python === selected)) found.unshift({ python: selected, source: 'added', prefix: null })
    return {
      host: 'local',
      selected,
      environments: found.map((entry) => ({ ...entry, selected: entry.python === selected })),
    }
  }

  async add(python: string): Promise<EnvironmentList> {
    await checkInterpreter(this.host, python)
    await this.host.settings.update((current) => {
      const settings = toolchainSettings.parse((current as { toolchain?: unknown }).toolchain ?? undefined)
      const added = settings.added.includes(python) ? settings.added : [...settings.added, python]
      return { ...current, toolchain: { ...settings, added } }
    })
    return this.list()
  }

  async select(python: string): Promise<EnvironmentList> {
    await checkInterpreter(this.host, python)
    await this.host.settings.update((current) => ({ ...current, python }))
    // Workers run the old interpreter: detection and the runner start over with the new one, now.
    void this.host.detectToolchain({ refresh: true }).catch(() => undefined)
    await this.host.runner.resetHost('local')
    void this.host.runner.warm('local').catch(() => undefined)
    return this.list()
  }
}
