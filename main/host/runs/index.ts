import type { Host } from '../host.ts'
import { RunManager } from './run-manager.ts'
import { hostTuneHook } from './run-tune.ts'

export { RunManager } from './run-manager.ts'

/** The host's run manager: runs under <data>/runs, the host runner, providers and tuner. */
export function createRunManager(host: Host): RunManager {
  return new RunManager(host, { tune: hostTuneHook(host) })
}
