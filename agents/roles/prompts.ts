import type { CheckFinding, ProfileAnalysis } from '../contract/runs.ts'
import { dslPlugin } from '../dsl/index.ts'
import type { ChatMessage, Dsl, Verdict } from '../ports/index.ts'
import { formatFindings } from '../checker/index.ts'
import type { KnowledgeSnippet } from '../run/context.ts'

/** Harness errors are cut to this many characters: the head and the tail carry the cause, the middle is noise. */
const errorExcerptChars = 4000

export interface PromptTask {
  dsl: Dsl
  device: string
  taskSource: string
  knowledge: KnowledgeSnippet[]
}

const knowledgeSection = (knowledge: KnowledgeSnippet[]): string =>
  knowledge.length === 0 ? '' : `\n\n## Reference notes\n${knowledge.map((snippet) => `### ${snippet.title}\n${snippet.body.trim()}`).join('\n\n')}`

const taskSection = (task: PromptTask): string =>
  `## Task (PyTorch reference, KernelBench format)\n\`\`\`python\n${task.taskSource.trim()}\n\`\`\`\nTarget device: ${task.device}.`

const excerpt = (text: string): string =>
  text.length <= errorExcerptChars ? text : `${text.slice(0, errorExcerptChars / 2)}\n[...]\n${text.slice(-errorExcerptChars / 2)}`

/** Designer: a hardware-aware sketch of the kernel, no code. */
export function designerMessages(task: PromptTask): ChatMessage[] {
  const plugin = dslPlugin(task.dsl)
  return [
    {
      role: 'system',
      content:
        `You are the Designer of a kernel-generation team. You write a short, concrete plan for a ${plugin.label} kernel; the Coder writes the code from it. ` +
        'Do not write the full code.',
    },
    {
      role: 'user',
      content:
        `${taskSection(task)}\n\nWrite a plan (at most 25 lines): the operator's math and shapes, the parallel axes, tiling and block sizes, ` +
        `fusion, vectorisation, reductions, pipelining, and the edge cases to mask.\n${plugin.designHints}${knowledgeSection(task.knowledge)}`,
    },
  ]
}

/** Coder: the complete ModelNew module from the plan (or, in migrate, from the source kernel). */
export function coderMessages(task: PromptTask, design: { plan: string | null; source: { dsl: Dsl; code: string } | null; feedback: string | null }): ChatMessage[] {
  const plugin = dslPlugin(task.dsl)
  const parts = [taskSection(task)]
  if (design.source) {
    parts.push(
      `## Source kernel (${dslPlugin(design.source.dsl).label}) — this is the design\nPort it to ${plugin.label}: same operator, same algorithm where the target allows, same outputs.\n\`\`\`python\n${design.source.code.trim()}\n\`\`\``,
    )
  }
  if (design.plan) parts.push(`## Plan from the Designer\n${design.plan.trim()}`)
  if (design.feedback) parts.push(`## Feedback on earlier attempts\n${design.feedback.trim()}`)
  parts.push(`## Shape of a valid answer (an example for a different operator)\n\`\`\`python\n${plugin.skeleton.trim()}\n\`\`\``)
  return [
    { role: 'system', content: `You are the Coder of a kernel-generation team. You write ${plugin.label} kernels.\nRules:\n${plugin.coderRules}` },
    { role: 'user', content: `${parts.join('\n\n')}${knowledgeSection(task.knowledge)}\n\nAnswer with the complete module in one \`\`\`python block.` },
  ]
}

/** What went wrong with a candidate, as the Fixer and the Coder read it. */
export function describeFailure(findings: CheckFinding[], verdict: Verdict | null): string {
  if (findings.some((finding) => finding.severity === 'error')) return `The static checker rejected it:\n${formatFindings(findings)}`
  if (!verdict) return 'It could not be evaluated.'
  const failed = verdict.checks.filter((check) => !check.passed).map((check) => `- ${check.name}${check.detail ? `: ${check.detail}` : ''}`)
  const lines = [`The harness says: ${verdict.status}.`]
  if (verdict.error) lines.push(`Stage ${verdict.error.stage}: ${excerpt(verdict.error.message)}`)
  if (verdict.error?.traceback) lines.push(`Traceback (end):\n${excerpt(verdict.error.traceback).slice(-errorExcerptChars / 2)}`)
  if (verdict.correctness && verdict.status === 'incorrect') {
    lines.push(`Max absolute error ${verdict.correctness.max_abs_error ?? '?'}, max relative error ${verdict.correctness.max_rel_error ?? '?'}, mismatching elements ${verdict.correctness.mismatch_ratio ?? '?'}.`)
  }
  if (failed.length > 0) lines.push(`Failed checks:\n${failed.join('\n')}`)
  if (findings.length > 0) lines.push(`Checker warnings:\n${formatFindings(findings)}`)
  return lines.join('\n')
}

/** Fixer: a small edit to a candidate with a local error. */
export function fixerMessages(task: PromptTask, code: string, failure: string): ChatMessage[] {
  const plugin = dslPlugin(task.dsl)
  return [
    { role: 'system', content: `You are the Fixer of a kernel-generation team. You repair ${plugin.label} kernels with the smallest change that removes the error.\nRules:\n${plugin.coderRules}` },
    {
      role: 'user',
      content: `${taskSection(task)}\n\n## Current candidate\n\`\`\`python\n${code.trim()}\n\`\`\`\n\n## What went wrong\n${failure}${knowledgeSection(task.knowledge)}\n\nAnswer with the complete corrected module in one \`\`\`python block.`,
    },
  ]
}

/** Optimize: a faster version of a correct candidate, guided by what bounds it. */
export function optimizeMessages(task: PromptTask, code: string, analysis: ProfileAnalysis, timing: string, inspirations: string[]): ChatMessage[] {
  const plugin = dslPlugin(task.dsl)
  const others = inspirations.map((other, index) => `### Other correct candidate ${index + 1}\n\`\`\`python\n${other.trim()}\n\`\`\``).join('\n\n')
  return [
    { role: 'system', content: `You are the Coder of a kernel-generation team, optimising a correct ${plugin.label} kernel without breaking it.\nRules:\n${plugin.coderRules}` },
    {
      role: 'user',
      content:
        `${taskSection(task)}\n\n## Correct candidate to speed up\n\`\`\`python\n${code.trim()}\n\`\`\`\n\n## Measurements\n${timing}\nProfile: ${analysis.summary}\n` +
        `Levers for a ${analysis.bound} kernel: ${plugin.optimizeHints[analysis.bound]}` +
        (others ? `\n\n## Ideas from other candidates\n${others}` : '') +
        `${knowledgeSection(task.knowledge)}\n\nAnswer with the complete faster module in one \`\`\`python block.`,
    },
  ]
}
