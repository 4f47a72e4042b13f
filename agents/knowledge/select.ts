import { operatorPatternsOf } from './classify.ts'
import { hardwareMatch } from './hardware.ts'
import type { KnowledgeDocument, KnowledgeStage, OperatorPattern } from './metadata.ts'

/** What a prompt is being built for. */
export interface KnowledgeQuery {
  /** The DSL the candidate is written in (agents/contract/registry.ts). */
  dsl: string
  /** A hardware id (h100, h200, a100, ascend910b, cpu), a family (hopper, ampere, nvidia, ascend), or 'any' when unknown. */
  hardware: string
  stage: KnowledgeStage
  /** Patterns of the task; when absent they are classified from `source`. */
  operators?: readonly OperatorPattern[]
  /** The task's reference code (KernelBench format), read when `operators` is absent. */
  source?: string
  /** The most tokens the chosen documents may add to the prompt together. */
  tokenBudget: number
  /** Document ids never to offer (say, ones the user switched off). */
  exclude?: readonly string[]
}

/** One chosen document and why it was chosen. */
export interface SelectedKnowledge {
  document: KnowledgeDocument
  score: number
  reasons: string[]
}

/** The outcome of a selection: what goes in the prompt, in order, and what was left out and why. */
export interface KnowledgeSelection {
  selected: SelectedKnowledge[]
  /** Documents that fit the task but not the budget. */
  skipped: Array<{ id: string; tokenCount: number; reason: string }>
  tokens: number
  operators: OperatorPattern[]
}

/** Weights of the fit between a document and the query, added to its priority (1..100). */
const WEIGHT = {
  dslExact: 30,
  operatorMatch: 20,
  /** Extra for a match on the task's dominant pattern, so a softmax task prefers softmax documents to reduction ones. */
  dominantOperator: 10,
  hardwareExact: 20,
  hardwareFamily: 12,
  singleStage: 8,
}

/**
 * Chooses the documents for one prompt. A document is eligible when its dsl, stage, hardware and
 * operators all fit the query ('any' fits everything); eligible documents are ranked by priority
 * plus how specifically they fit, then taken in that order while they fit the token budget. A
 * document too large for what is left is skipped, and smaller ones after it may still be taken.
 */
export function selectKnowledge(documents: readonly KnowledgeDocument[], query: KnowledgeQuery): KnowledgeSelection {
  const operators = query.operators ? [...query.operators] : query.source !== undefined ? operatorPatternsOf(query.source) : []
  const excluded = new Set(query.exclude ?? [])
  const candidates: SelectedKnowledge[] = []

  for (const document of documents) {
    if (excluded.has(document.id)) continue
    const fit = scoreDocument(document, query, operators)
    if (fit) candidates.push({ document, ...fit })
  }
  candidates.sort((a, b) => b.score - a.score || a.document.tokenCount - b.document.tokenCount || a.document.id.localeCompare(b.document.id))

  const selected: SelectedKnowledge[] = []
  const skipped: KnowledgeSelection['skipped'] = []
  let tokens = 0
  for (const candidate of candidates) {
    const cost = candidate.document.tokenCount
    if (tokens + cost <= query.tokenBudget) {
      selected.push(candidate)
      tokens += cost
    } else {
      skipped.push({
        id: candidate.document.id,
        tokenCount: cost,
        reason: `needs ${cost} tokens; ${Math.max(0, query.tokenBudget - tokens)} of the ${query.tokenBudget}-token budget were left`,
      })
    }
  }
  return { selected, skipped, tokens, operators }
}

function scoreDocument(document: KnowledgeDocument, query: KnowledgeQuery, operators: readonly OperatorPattern[]): { score: number; reasons: string[] } | null {
  const reasons: string[] = []
  let score = document.priority

  if (document.dsl.includes(query.dsl as never)) {
    score += WEIGHT.dslExact
    reasons.push(`written for ${query.dsl}`)
  } else if (!document.dsl.includes('any')) {
    return null
  }

  if (!document.stage.includes(query.stage)) return null
  if (document.stage.length === 1) {
    score += WEIGHT.singleStage
    reasons.push(`written for the ${query.stage} stage`)
  }

  const hardware = hardwareMatch(document.hardware, query.hardware)
  if (hardware === null) return null
  if (hardware === 'exact') {
    score += WEIGHT.hardwareExact
    reasons.push(`about ${query.hardware}`)
  } else if (hardware === 'family') {
    score += WEIGHT.hardwareFamily
    reasons.push(`about ${document.hardware.filter((target) => target !== 'any').join(', ')}, which includes ${query.hardware}`)
  }

  if (!document.operators.includes('any')) {
    const shared = operators.filter((pattern) => document.operators.includes(pattern))
    if (shared.length === 0) return null
    score += WEIGHT.operatorMatch * shared.length
    if (operators[0] !== undefined && shared.includes(operators[0])) score += WEIGHT.dominantOperator
    reasons.push(`covers the task's ${shared.join(', ')}`)
  }

  if (reasons.length === 0) reasons.push('general guidance for every task')
  return { score, reasons }
}
