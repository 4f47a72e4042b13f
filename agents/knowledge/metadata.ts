import { dslNames } from '../contract/registry.ts'
import { z } from 'zod'

/** DSLs a document can speak to; 'any' is for guides that hold for every DSL (roofline reading, hardware sheets). */
export const knowledgeDsls = [...dslNames, 'any'] as const
export type KnowledgeDsl = (typeof knowledgeDsls)[number]

/** Concrete devices the studio knows sheets for. */
export const hardwareIds = ['h100', 'h200', 'a100', 'ascend910b', 'cpu'] as const
export type HardwareId = (typeof hardwareIds)[number]

/** A family stands for several devices, so one document can serve all of them (Hopper habits serve H100 and H200). */
export const hardwareFamilies = {
  hopper: ['h100', 'h200'],
  ampere: ['a100'],
  nvidia: ['h100', 'h200', 'a100'],
  ascend: ['ascend910b'],
} as const satisfies Record<string, readonly HardwareId[]>
export type HardwareFamily = keyof typeof hardwareFamilies

export const hardwareTargets = [...hardwareIds, ...(Object.keys(hardwareFamilies) as HardwareFamily[]), 'any'] as const
export type HardwareTarget = (typeof hardwareTargets)[number]

/** The shapes of computation the classifier recognises in a task and documents are written for. */
export const operatorPatterns = [
  'elementwise',
  'reduction',
  'softmax',
  'norm',
  'matmul',
  'conv',
  /** Depthwise and grouped convolution (groups > 1): a stencil per channel group, not an implicit GEMM. */
  'grouped-conv',
  'attention',
  'scan',
  'pooling',
  'fused-epilogue',
  'indexing',
] as const
export type OperatorPattern = (typeof operatorPatterns)[number]

/** initial: first design and code; debug: fixing a failed candidate; optimize: speeding up a correct one. */
export const knowledgeStages = ['initial', 'debug', 'optimize'] as const
export type KnowledgeStage = (typeof knowledgeStages)[number]

/** Where a document came from; a user document with the id of a shipped one replaces it. */
export type KnowledgeOrigin = 'shipped' | 'user'

/** Default priority when a document does not say; 1..100, higher is offered first. */
export const DEFAULT_PRIORITY = 50

/** Either one value or a list of values, stored as a non-empty list without repeats. */
function oneOrMany<T extends readonly [string, ...string[]]>(values: T) {
  const item = z.enum(values)
  return z.union([item, z.array(item).min(1)]).transform((value) => [...new Set(Array.isArray(value) ? value : [value])] as Array<T[number]>)
}

/** The metadata a document declares in its front matter. Unknown fields are refused so typos surface. */
export const knowledgeMetadataSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and hyphens (kebab-case)'),
    title: z.string().min(3).max(120),
    dsl: oneOrMany(knowledgeDsls),
    hardware: oneOrMany(hardwareTargets),
    operators: z
      .union([z.literal('any'), z.enum(operatorPatterns), z.array(z.union([z.literal('any'), z.enum(operatorPatterns)])).min(1)])
      .transform((value) => [...new Set(Array.isArray(value) ? value : [value])]),
    stage: oneOrMany(knowledgeStages),
    priority: z.number().int().min(1).max(100).default(DEFAULT_PRIORITY),
    /** The author's estimate of the body's size in tokens; the measured estimate is used when it is larger. */
    tokens: z.number().int().positive().optional(),
    summary: z.string().max(300).optional(),
  })
  .strict()

export type KnowledgeMetadata = z.output<typeof knowledgeMetadataSchema>

/** A parsed, validated skill document. */
export interface KnowledgeDocument extends KnowledgeMetadata {
  body: string
  /** Tokens the body is counted as when a selection is fitted to a budget. */
  tokenCount: number
  /** Where it was read from, for error messages and the UI (a path relative to its folder). */
  file: string
  origin: KnowledgeOrigin
}

/**
 * Characters per token for the estimate. Code-heavy Markdown runs about 3-4 characters per token
 * with the common BPE tokenizers; 3.5 errs towards counting more, so a budget is not overrun.
 */
export const CHARACTERS_PER_TOKEN = 3.5

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARACTERS_PER_TOKEN)
}
