import type { Host } from '../host.ts'
import { hostKnowledgeSelector } from '../knowledge/index.ts'
import { RunManager } from './run-manager.ts'
import { hostHardwareFacts } from './run-hardware.ts'
import { hostTuneHook } from './run-tune.ts'

export { RunManager } from './run-manager.ts'

/** The host's run manager: runs under <data>/runs, the host runner, providers, knowledge and tuner. */
export function createRunManager(host: Host): RunManager {
  // Device names come from the toolchain report, so a cuda:0 run on an H100 gets the H100 sheet.
  const knowledge = hostKnowledgeSelector(host.knowledge, async () => (await host.detectToolchain()).devices)
  return new RunManager(host, { tune: hostTuneHook(host), knowledge, hardware: hostHardwareFacts(() => host.detectToolchain()) })
}
