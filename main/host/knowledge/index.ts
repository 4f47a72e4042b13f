import { createKnowledgeSelector, defaultHardwareOf, hardwareFromDeviceName, type KnowledgeStage } from '../../../agents/knowledge/index.ts'
import type { DeviceInfo } from '../../../agents/contract/index.ts'
import { FolderKnowledgeSource, KnowledgeService, knowledgeFolders } from './knowledge-folders.ts'

export { FolderKnowledgeSource, KnowledgeService, knowledgeFolders }

/** The knowledge library over resources/knowledge and <data dir>/knowledge. */
export function createHostKnowledge(paths: { resources: string; dataDir: string }): KnowledgeService {
  const folders = knowledgeFolders(paths)
  return new KnowledgeService(new FolderKnowledgeSource({ shipped: folders.shipped, user: folders.user }))
}

/**
 * The agent loop's KnowledgeSelector for this host: it reads the library once and maps a run's
 * local device ('cuda:0', 'npu:1') to its sheet through the devices the toolchain report lists.
 * Devices on SSH hosts ('box:cuda:0') fall back to the name in the string, else 'any'.
 */
export function hostKnowledgeSelector(
  knowledge: KnowledgeService,
  devices: () => Promise<DeviceInfo[] | undefined>,
  budgets?: Partial<Record<KnowledgeStage, number>>,
) {
  return createKnowledgeSelector({
    library: () => knowledge.load(),
    budgets,
    hardwareOf: async (device) => {
      const match = /^(cuda|npu)(?::(\d+))?$/.exec(device)
      if (!match) return defaultHardwareOf(device)
      const listed = (await devices().catch(() => undefined)) ?? []
      const found = listed.find((info) => info.kind === match[1] && info.index === Number(match[2] ?? 0))
      return (found && hardwareFromDeviceName(found.name)) ?? defaultHardwareOf(device)
    },
  })
}
