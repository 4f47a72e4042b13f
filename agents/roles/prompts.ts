import type { CheckFinding, ProfileAnalysis } from '../contract/runs.ts'
import { dslPlugin } from '../dsl/index.ts'
import type { ChatMessage, Dsl, Verdict } from '../ports/index.ts'
import { formatFindings } from '../checker/index.ts'
import type { KnowledgeSnippet } from '../run/context.ts'
import { formatCpuFacts, formatHardwareFacts, type HardwareFacts, type HostFacts } from '../knowledge/hardware-facts.ts'
import { correctnessLine } from './failure.ts'

/** Harness errors are cut to this many characters: the head and the tail carry the cause, the middle is noise. */
const errorExcerptChars = 4000

export interface PromptTask {
  dsl: Dsl
  device: string
  taskSource: string
  knowledge: KnowledgeSnippet[]
  /** The target GPU's numbers; null for a CPU run or an unknown device. */
  hardware?: HardwareFacts | null
  /** torch and triton versions (and this machine's CPU) when there are no GPU facts to carry them. */
  host?: HostFacts | null
}

/**
 * What the harness holds every candidate to, said once for every role: precision and why,
 * scratch buffers, what counts as your kernels. Each rule matches a check the harness runs.
 */
const precisionRule =
  'Precision: for float32 tasks the reference runs in strict fp32 (TF32 off) and each output element must satisfy |out - ref| <= atol + rtol*|ref| with atol = rtol = 1e-4 ' +
  '(float16/bfloat16 tasks: 1e-2). TF32 tensor-core products keep 10 mantissa bits, so a float32 dot product over a few hundred terms lands around 1e-3 off and fails: ' +
  'for float32 inputs use full-precision FMA (in Triton tl.dot(..., input_precision="ieee"), or "tf32x3", which is close to fp32 at about 3 TF32 passes), accumulate in float32, ' +
  "and use fp16/bf16/fp8 math only when the task's tensors are in that type. Do not change global torch flags (allow_tf32, cudnn settings): they are checked and restored."

const scratchRule =
  'Memory: forward may allocate outputs and the scratch buffers your kernels need (split-K or split-reduction partial results, per-block partial sums, an attention score matrix, ' +
  "counters for atomics) with torch.empty/torch.zeros on the input's device, every call. Not allowed: reducing or transforming those buffers with torch ops (do it in a kernel), " +
  'keeping results from one call to reuse in the next (a workspace kept across calls must be fully rewritten before it is read), and allocating on another device or stream.'

const weightsRule =
  'Weights: the harness builds Model and ModelNew each right after the same seed and compares their outputs, so ModelNew must create the same parameters and buffers as Model ' +
  '(same names, shapes and dtypes) with the same random calls in the same order: build the same nn layers, or copy the body of Model.__init__ as it is. ' +
  'Parameters made any other way (torch.empty, your own initialisation, a different order) hold other values and fail the comparison. ' +
  "For a task cut from a user's model the names matter twice: the patch loads the model's trained weights into ModelNew by those names after it is built, " +
  "so derive nothing from them in __init__ (a batch norm's scale and shift folded into the weights would go stale): compute such values in a kernel on each call."

const rulesSection = (task: PromptTask): string => {
  const plugin = dslPlugin(task.dsl)
  return `## How the harness judges the answer
- ${precisionRule}
- ${weightsRule}
- ${scratchRule}
- Your kernels: ${plugin.yourKernels}

## Tuning
${interpreted(task) ? 'Nothing is timed under the interpreter, so nothing is tuned in this run; declare the tunables all the same, for when the kernel runs on a GPU. ' : ''}${plugin.tuning}`
}

const hardwareSection = (task: PromptTask): string => {
  if (task.hardware) return `\n\n## Target hardware (${task.hardware.source})\n${formatHardwareFacts(task.hardware)}`
  const installed = [task.host?.torch ? `PyTorch ${task.host.torch}` : null, task.host?.triton ? `Triton ${task.host.triton}` : null].filter(Boolean)
  const software = installed.length > 0 ? `Installed: ${installed.join(', ')}.` : ''
  // The CPU's facts matter to a CPU kernel, not to Triton under its interpreter; never invented, only as reported.
  const cpu = task.host?.cpu && !interpreted(task) ? formatCpuFacts(task.host.cpu) : ''
  if (cpu) return `\n\n## Target hardware (as this machine reports it)\n${cpu}${software ? `\n- ${software}` : ''}`
  return software ? `\n${software}` : ''
}

const knowledgeSection = (knowledge: KnowledgeSnippet[]): string =>
  knowledge.length === 0 ? '' : `\n\n## Reference notes\n${knowledge.map((snippet) => `### ${snippet.title}\n${snippet.body.trim()}`).join('\n\n')}`

/** How the harness judges a candidate (resources/harness/README.md: Reference precision, Shapes). */
const verificationLine =
  'Verification: outputs are compared with the reference run in strict fp32 for float32 tasks (TF32 off; atol = rtol = 1e-4, fp16/bf16 1e-2); ' +
  "a miss is re-judged against an fp64 truth (the reference cast to float64): the answer passes if it is within the tolerance of the truth, or no farther from it than PyTorch's own default-precision output. " +
  "Correctness is also checked at other input sizes, so do not hard-code sizes: each distinct size among the inputs' dimensions (equal sizes move together) is set to an odd size below it, to 1, to 2n+1 and to n/2; " +
  'a shape is skipped where the reference cannot run (a size the weights fix) or only broadcasts a size-1 input.'

/** Triton aimed at the CPU runs under its interpreter: say so once, since the GPU-oriented notes assume device tensors and timing. */
const interpreted = (task: PromptTask): boolean => task.dsl === 'triton' && task.device.split(':').pop() === 'cpu'
const interpreterLine = (task: PromptTask): string =>
  interpreted(task)
    ? ' Triton runs here under its interpreter (TRITON_INTERPRET=1) on CPU tensors: notes about keeping data on the GPU do not apply, ' +
      'and the verdict is correctness only (nothing is timed or tuned in this run; the GPU figures in the notes are for when the kernel runs on a GPU).'
    : ''

const taskSection = (task: PromptTask): string =>
  `## Task (PyTorch reference, KernelBench format)
\`\`\`python
${task.taskSource.trim()}
\`\`\`
Target device: ${task.device}.${interpreterLine(task)}
${verificationLine}${hardwareSection(task)}`

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
        `${taskSection(task)}\n\nWrite a plan (at most 40 lines): the operator's math and shapes, the parallel axes, tiling and block sizes, ` +
        `fusion, vectorisation, reductions, pipelining, and the edge cases to mask. Name the parameters the tuner should search.\n${plugin.designHints}\n\n${rulesSection(task)}${knowledgeSection(task.knowledge)}`,
    },
  ]
}

/** Coder: the complete ModelNew module from the plan (or, in migrate, from the source kernel). */
export function coderMessages(
  task: PromptTask,
  design: { plan: string | null; source: { dsl: Dsl; code: string } | null; feedback: string | null },
): ChatMessage[] {
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
  parts.push(rulesSection(task))
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
  // Right at the task's shapes, wrong elsewhere (other shapes, rescaled inputs): the failed check leads, and
  // the task-shape numbers, which passed, are not shown as if they were the error.
  const matched = verdict.checks.find((check) => check.name === 'output_matches_reference')?.passed === true
  if (verdict.correctness && verdict.status === 'incorrect' && !matched) lines.push(correctnessLine(verdict.correctness))
  if (failed.length > 0) lines.push(`Failed checks:\n${failed.join('\n')}`)
  if (verdict.status === 'incorrect' && matched) lines.push("At the task's own input shapes the outputs were within tolerance: only the checks above failed.")
  if (findings.length > 0) lines.push(`Checker warnings:\n${formatFindings(findings)}`)
  return lines.join('\n')
}

/** Fixer: a small edit to a candidate with a local error. */
export function fixerMessages(task: PromptTask, code: string, failure: string): ChatMessage[] {
  const plugin = dslPlugin(task.dsl)
  return [
    {
      role: 'system',
      content: `You are the Fixer of a kernel-generation team. You repair ${plugin.label} kernels with the smallest change that removes the error.\nRules:\n${plugin.coderRules}`,
    },
    {
      role: 'user',
      content: `${taskSection(task)}\n\n## Current candidate\n\`\`\`python\n${numbered(code)}\n\`\`\`\n\n## What went wrong\n${failure}\n\n${rulesSection(task)}${knowledgeSection(task.knowledge)}\n\nAnswer with the complete corrected module (without line numbers) in one \`\`\`python block.`,
    },
  ]
}

/** The candidate with line numbers, so facts such as "line 42: 61 % of stalls" point somewhere. */
const numbered = (code: string): string => {
  const lines = code.trim().split('\n')
  const width = String(lines.length).length
  return lines.map((line, index) => `${String(index + 1).padStart(width)}| ${line}`).join('\n')
}

/** The facts an optimize prompt carries: the summary, then ncu's diagnosis when it ran. */
export function optimizeFacts(analysis: ProfileAnalysis): string[] {
  return [analysis.summary, ...(analysis.facts ?? [])]
}

/** Optimize: a faster version of a correct candidate, guided by what bounds it. */
export function optimizeMessages(task: PromptTask, code: string, analysis: ProfileAnalysis, timing: string, inspirations: string[]): ChatMessage[] {
  const plugin = dslPlugin(task.dsl)
  const others = inspirations.map((other, index) => `### Other correct candidate ${index + 1}\n\`\`\`python\n${other.trim()}\n\`\`\``).join('\n\n')
  const facts = optimizeFacts(analysis)
    .map((fact) => `- ${fact}`)
    .join('\n')
  const measured = analysis.facts && analysis.facts.length > 0 ? 'Profile (Nsight Compute and the roofline, measured on the target)' : 'Profile'
  return [
    {
      role: 'system',
      content: `You are the Coder of a kernel-generation team, optimising a correct ${plugin.label} kernel without breaking it.\nRules:\n${plugin.coderRules}`,
    },
    {
      role: 'user',
      content:
        `${taskSection(task)}\n\n## Correct candidate to speed up (line numbers for reference)\n\`\`\`python\n${numbered(code)}\n\`\`\`\n\n## Measurements\n${timing}\n${measured}:\n${facts}\n` +
        `Levers for a ${analysis.bound} kernel: ${plugin.optimizeHints[analysis.bound]}` +
        (others ? `\n\n## Ideas from other candidates\n${others}` : '') +
        `\n\n${rulesSection(task)}${knowledgeSection(task.knowledge)}\n\nAnswer with the complete faster module (without line numbers) in one \`\`\`python block.`,
    },
  ]
}
