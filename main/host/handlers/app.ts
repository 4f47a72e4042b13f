import { arch, platform } from 'node:os'
import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'
import { readPackageVersion } from '../version.ts'

export const appHandlers = (host: Host): Pick<Handlers, 'app.info'> => ({
  'app.info': async (_input, context) => ({
    name: 'AKG Studio',
    version: await readPackageVersion(host.paths.appRoot),
    platform: platform(),
    arch: arch(),
    node: process.versions.node,
    electron: host.electronVersion,
    transport: context.transport,
    dataDir: host.paths.dataDir,
  }),
})
