/**
 * Knowledge: the skill documents the Designer, Coder and Fixer read in their prompts, and the code
 * that chooses them per stage and task.
 *
 * Usage from the agent loop:
 *
 *   const library = await loadKnowledge(source)          // source: a KnowledgeSource from the host
 *   // library.problems lists malformed documents (file, field, what to write); show them, go on.
 *   const selection = selectKnowledge(library.documents, {
 *     dsl: 'triton', hardware: hardwareFromDeviceName(deviceName) ?? 'any', stage: 'optimize',
 *     source: taskSource,                                 // or operators: classifyOperators(...)
 *     tokenBudget: 6000,
 *   })
 *   for (const { document, reasons } of selection.selected) prompt += `\n\n# ${document.title}\n${document.body}`
 *
 * - classifyOperators(source) -> [{ pattern, evidence }], dominant pattern first (matmul before
 *   its elementwise epilogue); softmax and norms also report 'reduction'; matmul or conv followed by
 *   other work also reports 'fused-epilogue'. operatorPatternsOf(source) gives the patterns alone.
 * - selectKnowledge(documents, query) -> { selected: [{ document, score, reasons }], skipped,
 *   tokens, operators }. Eligible = dsl, stage, hardware and operators fit ('any' fits all);
 *   order = priority + specificity; the token budget is never exceeded.
 * - parseKnowledgeDocument(text, file) validates one document and throws KnowledgeDocumentError
 *   naming the file, field and line.
 * - hardwareFromDeviceName('NVIDIA H100 80GB HBM3') -> 'h100' (null when there is no sheet).
 * - createKnowledgeSelector({ library, hardwareOf, budgets }) -> the function RunDependencies.knowledge
 *   takes ({ dsl, device, stage, taskSource } -> [{ id, title, body, reasons }]), with per-stage budgets
 *   (DEFAULT_TOKEN_BUDGETS). main/host/knowledge's hostKnowledgeSelector builds one for the host.
 *
 * docs/knowledge.md describes the document format for authors.
 */
export { classifyOperators, operatorPatternsOf, type OperatorEvidence } from './classify.ts'
export { KnowledgeDocumentError, parseFrontMatter, type FrontMatter, type FrontMatterValue } from './front-matter.ts'
export { hardwareFromDeviceName, hardwareMatch } from './hardware.ts'
export {
  CHARACTERS_PER_TOKEN,
  DEFAULT_PRIORITY,
  estimateTokens,
  hardwareFamilies,
  hardwareIds,
  hardwareTargets,
  knowledgeDsls,
  knowledgeMetadataSchema,
  knowledgeStages,
  operatorPatterns,
  type HardwareFamily,
  type HardwareId,
  type HardwareTarget,
  type KnowledgeDocument,
  type KnowledgeDsl,
  type KnowledgeMetadata,
  type KnowledgeOrigin,
  type KnowledgeStage,
  type OperatorPattern,
} from './metadata.ts'
export { parseKnowledgeDocument } from './parse.ts'
export { selectKnowledge, type KnowledgeQuery, type KnowledgeSelection, type SelectedKnowledge } from './select.ts'
export { loadKnowledge, type KnowledgeFile, type KnowledgeLibrary, type KnowledgeProblem, type KnowledgeSource } from './source.ts'
export {
  createKnowledgeSelector,
  DEFAULT_TOKEN_BUDGETS,
  defaultHardwareOf,
  type KnowledgeSelectorOptions,
  type KnowledgeSnippetWithReasons,
  type StageKnowledgeQuery,
} from './selector.ts'
