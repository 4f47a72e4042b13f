import type { ToolchainReport } from '../../../agents/contract/index.ts'
import { hostKnowledgeSelector, type KnowledgeService } from '../knowledge/index.ts'
import type { TunerService } from '../tuner/tuner-service.ts'
import { RunManager, type RunManagerDependencies } from './run-manager.ts'
import { hostHardwareFacts, hostFacts } from './run-hardware.ts'
import { hostTuneHook } from './run-tune.ts'

export { RunManager } from './run-manager.ts'

/** What the host's run manager is built from, beyond the manager's own: knowledge, hardware facts and the tuner. */
export type HostRunDependencies = RunManagerDependencies & {
  knowledge: KnowledgeService
  /** The toolchain report (shared between callers); its devices pick the hardware sheet. */
  detectToolchain: () => Promise<ToolchainReport>
  tuner: Pick<TunerService, 'start' | 'cancel' | 'wait'>
}

/** The host's run manager: runs under <data>/runs, the host runner, providers, knowledge and tuner. */
export function createRunManager(host: HostRunDependencies): RunManager {
  // Device names come from the toolchain report, so a cuda:0 run on an H100 gets the H100 sheet.
  const knowledge = hostKnowledgeSelector(host.knowledge, async () => (await host.detectToolchain()).devices)
  return new RunManager(host, {
    tune: hostTuneHook(host),
    knowledge,
    hardware: hostHardwareFacts(() => host.detectToolchain()),
    host: hostFacts(() => host.detectToolchain()),
  })
}
