import { hardwareFromDeviceName } from './hardware.ts'
import type { KnowledgeStage } from './metadata.ts'
import { selectKnowledge } from './select.ts'
import type { KnowledgeLibrary } from './source.ts'

/**
 * Token budgets per stage when the caller gives none. A debug prompt already carries the failing
 * code and the error, so it gets less room; initial and optimize prompts carry the API and the
 * hardware sheet. About 6 000 tokens is a few focused documents, small beside a 32k+ context.
 */
export const DEFAULT_TOKEN_BUDGETS: Record<KnowledgeStage, number> = { initial: 6000, debug: 3500, optimize: 6000 }

/** What the agent loop asks for: the shape of RunDependencies.knowledge's query. */
export interface StageKnowledgeQuery {
  dsl: string
  /** The run's device: 'cpu', 'cuda:0', 'npu:1', or 'host:cuda:1' for an SSH host. */
  device: string
  stage: KnowledgeStage
  taskSource: string
}

/** A chosen document as a prompt shows it, with why it was chosen (for the run log). */
export interface KnowledgeSnippetWithReasons {
  id: string
  title: string
  body: string
  reasons: string[]
}

export interface KnowledgeSelectorOptions {
  library: () => KnowledgeLibrary | Promise<KnowledgeLibrary>
  /**
   * The hardware id or family for a run's device. The host knows the device names (from the
   * toolchain report); the default reads 'cpu' and names such as 'H100' in the string, else 'any'.
   */
  hardwareOf?: (device: string) => string | Promise<string>
  budgets?: Partial<Record<KnowledgeStage, number>>
}

/** Builds the function the agent loop calls before each Designer, Coder and Fixer prompt. */
export function createKnowledgeSelector(options: KnowledgeSelectorOptions) {
  const budgets = { ...DEFAULT_TOKEN_BUDGETS, ...options.budgets }
  const hardwareOf = options.hardwareOf ?? defaultHardwareOf
  return async (query: StageKnowledgeQuery): Promise<KnowledgeSnippetWithReasons[]> => {
    const [library, hardware] = await Promise.all([options.library(), hardwareOf(query.device)])
    const selection = selectKnowledge(library.documents, {
      dsl: query.dsl,
      hardware,
      stage: query.stage,
      source: query.taskSource,
      tokenBudget: budgets[query.stage],
    })
    return selection.selected.map(({ document, reasons }) => ({ id: document.id, title: document.title, body: document.body, reasons }))
  }
}

export function defaultHardwareOf(device: string): string {
  const last =
    device
      .split(':')
      .filter((part) => !/^\d+$/.test(part))
      .pop() ?? device
  if (last === 'cpu') return 'cpu'
  return hardwareFromDeviceName(device) ?? 'any'
}
