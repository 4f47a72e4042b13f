import { AppError } from '../../../agents/contract/result.ts'
import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'

type ToolchainRoutes =
  | 'toolchain.detect'
  | 'toolchain.list'
  | 'toolchain.select'
  | 'toolchain.add'
  | 'toolchain.sandbox'
  | 'toolchain.setSandbox'
  | 'toolchain.venvPlan'
  | 'toolchain.createVenv'

export const toolchainHandlers = (host: Host): Pick<Handlers, ToolchainRoutes> => {
  const { toolchain: manager, venv } = host
  const localOnly = (name: string | undefined) => {
    if (name && name !== 'local')
      throw new AppError('TOOLCHAIN_UNKNOWN_HOST', `Environments of ${name} are chosen in its SSH host settings; here, use host "local".`)
  }
  return {
    'toolchain.detect': (input) => host.detectToolchain(input),
    'toolchain.list': async ({ host: name }) => {
      localOnly(name)
      return manager.list()
    },
    'toolchain.select': async ({ python, host: name }) => {
      localOnly(name)
      return manager.select(python)
    },
    'toolchain.add': ({ python }) => manager.add(python),
    'toolchain.sandbox': async () => (await host.settings.read()).sandbox,
    'toolchain.setSandbox': async (sandbox) => {
      const saved = await host.settings.update((current) => ({ ...current, sandbox }))
      // Workers read these settings when they start: restart this machine's.
      await host.runner.resetHost('local')
      return saved.sandbox
    },
    'toolchain.venvPlan': () => venv.plan(),
    'toolchain.createVenv': async () => manager.select(await venv.create()),
  }
}
