import { copyFileSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { RunDetail, RunEvent, RunSummary, VerdictSummary } from '../../../agents/contract/index.ts'
import { baselineText } from '../../../agents/roles/verifier.ts'
import { cassettePrefix } from '../../host/runs/run-models.ts'
import { runsRoot } from '../../host/runs/run-files.ts'
import { CASSETTE_FILE } from '../../host/runs/run-manager.ts'
import type { CliContext, Command } from '../command.ts'
import { table } from '../format.ts'
import { call, CliError } from './basic.ts'
import { dslNames, writerRoles } from '../../../agents/contract/registry.ts'

/** Pulls `--name value` (repeatable) out of args; the rest are positional. */
export function parseOptions(args: string[], repeatable: string[] = []): { positional: string[]; options: Record<string, string[]> } {
  const positional: string[] = []
  const options: Record<string, string[]> = {}
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!
    if (!arg.startsWith('--')) {
      positional.push(arg)
      continue
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined]
    const value = inline ?? args[++index]
    if (value === undefined) throw usageError(`--${name} needs a value`)
    if (options[name] && !repeatable.includes(name)) throw usageError(`--${name} is given twice`)
    ;(options[name] ??= []).push(value)
  }
  return { positional, options }
}

export const usageError = (message: string) => new CliError({ code: 'USAGE', message })
const one = (options: Record<string, string[]>, name: string): string | undefined => options[name]?.[0]

/** `steps=8,candidates=10` -> { steps: 8, candidates: 10 }; numbers only. */
export function parsePairs(text: string | undefined, allowed: string[], flag: string): Record<string, number> {
  if (!text) return {}
  const result: Record<string, number> = {}
  for (const pair of text.split(',')) {
    const [key, value] = pair.split('=')
    if (!key || !allowed.includes(key.trim()) || value === undefined || !Number.isFinite(Number(value))) {
      throw usageError(`--${flag} takes ${allowed.map((name) => `${name}=N`).join(',')}; "${pair}" is not one of them`)
    }
    result[key.trim()] = Number(value)
  }
  return result
}

/** The spec fields every run command shares: device, models (or a replay cassette), budget, search. */
export function commonSpec(options: Record<string, string[]>) {
  const models: Record<string, string> = {}
  for (const entry of options.model ?? []) {
    const [role, model] = entry.split(/=(.*)/s, 2)
    if (!role || !model) throw usageError(`--model takes role=provider:model, e.g. --model coder=ollama:qwen2.5-coder:14b (got "${entry}")`)
    models[role] = model
  }
  const replay = one(options, 'replay')
  if (replay) {
    // A replay cassette answers every role not given explicitly: scripted, recorded answers, not a live model.
    for (const role of writerRoles) models[role] ??= `${cassettePrefix}${resolve(replay)}`
  }
  return {
    device: one(options, 'device') ?? 'cpu',
    models,
    budget: parsePairs(one(options, 'budget'), ['steps', 'candidates', 'tokens', 'minutes'], 'budget'),
    search: parsePairs(one(options, 'search'), ['islands', 'population', 'migrationInterval', 'ucbC', 'concurrency'], 'search'),
    ...(one(options, 'title') ? { title: one(options, 'title') } : {}),
  }
}

/** A task given as a path, or as a task id from `akg tasks`. */
export async function resolveTask(context: CliContext, reference: string): Promise<string> {
  if (existsSync(reference)) return resolve(reference)
  const task = await call(context, 'tasks.read', { id: reference })
  return task.path
}

const ms = (value: number | null | undefined) => (value === null || value === undefined ? '-' : `${value.toFixed(4)} ms`)
const times = (value: number | null | undefined) => (value === null || value === undefined ? '-' : `${value.toFixed(2)}x`)

/** One line per event a person cares about; deltas are left out. */
export function describeEvent(event: RunEvent): string | null {
  switch (event.type) {
    case 'run-start':
      return `run ${event.runId}${event.resumed ? ' resumed' : ''}: ${event.spec.title} on ${event.spec.device}`
    case 'candidate-start':
      return `${event.candidate.id} ${event.candidate.origin}${event.candidate.parentId ? ` from ${event.candidate.parentId}` : ''}${event.candidate.island !== null ? ` (island ${event.candidate.island})` : ''}`
    case 'check-end':
      return event.passed ? null : `${event.candidateId} rejected by the checker:\n${event.findings.map((finding) => `    ${finding.message}`).join('\n')}`
    case 'verify-end': {
      // The comparison with a migrate source is reported by its source-check-end line.
      if (event.resultPath.endsWith('-source.json') && !event.verdict.timing?.eager) return null
      const verdict = event.verdict
      const timing = verdict.timing
      return `${event.candidateId} ${verdict.status}${verdict.interpreted ? ' (interpreted)' : ''}${timing ? `  ${ms(timing.candidate.median_ms)}  vs eager ${times(timing.speedup_vs_eager)}  vs compile ${times(timing.speedup_vs_compile)}` : ''}${verdict.error ? `  ${verdict.error.stage}: ${verdict.error.message.split('\n')[0]}` : ''}`
    }
    case 'source-check-end':
      return `${event.candidateId} vs source ${event.sourceCandidateId}: ${event.status} — ${event.detail}`
    case 'conductor-decision':
      return `conductor: ${event.action} — ${event.reason}`
    case 'tune-end':
      return `tune ${event.candidateId}: ${event.detail}`
    case 'island-migration':
      return event.candidateIds.length > 0 ? `migration island ${event.fromIsland} -> ${event.toIsland}: ${event.candidateIds.join(', ')}` : null
    case 'run-error':
      return `error${event.candidateId ? ` in ${event.candidateId}` : ''}: ${event.message}`
    case 'run-end':
      return `run ended: ${event.status} (${event.reason}) — ${event.detail}`
    default:
      return null
  }
}

/** Prints a run's events live, waits for its end, prints the outcome; the exit code says whether a correct candidate exists. */
export async function followRun(context: CliContext, started: RunSummary): Promise<number> {
  const unsubscribe = context.json
    ? () => undefined
    : context.host.events.subscribe((name, payload) => {
        if (name !== 'run-event') return
        const event = payload as RunEvent
        if (event.runId !== started.id) return
        const line = describeEvent(event)
        if (line) context.out(line)
      })
  try {
    await context.host.runs.wait(started.id)
  } finally {
    unsubscribe()
  }
  const detail = await call(context, 'runs.get', { runId: started.id })
  if (context.json) context.out(JSON.stringify(detail, null, 2))
  else context.out(outcome(detail))
  return detail.summary.best ? 0 : 1
}

export function outcome(detail: RunDetail): string {
  const { summary } = detail
  const best = summary.best
  return [
    `run      ${summary.id}  (${summary.status}, ${summary.owner ? `process ${summary.owner.pid} (${summary.owner.program}) on ${summary.owner.hostname} since ${summary.owner.since}` : (summary.endReason ?? 'running')})`,
    `best     ${best ? `${best.candidateId}  ${ms(best.medianMs)}  vs eager ${times(best.speedupVsEager)}  vs compile ${times(best.speedupVsCompile)}${trust(detail.candidates.find((candidate) => candidate.id === best.candidateId)?.verdict)}` : 'no correct candidate'}`,
    summary.replay
      ? `model    replay: ${summary.usage.calls} answers played back from a cassette, no model ran${summary.usage.inputTokens + summary.usage.outputTokens > 0 ? ` (the cassette recorded ${summary.usage.inputTokens} in, ${summary.usage.outputTokens} out)` : ''}`
      : `tokens   ${summary.usage.inputTokens} in, ${summary.usage.outputTokens} out over ${summary.usage.calls} calls`,
  ].join('\n')
}

/** What a speedup rests on, after it: "  [NOISY timing] (baseline cached 2.0 h ago, re-timed)". */
export function trust(verdict: VerdictSummary | null | undefined): string {
  if (!verdict) return ''
  const baseline = baselineText(verdict.baseline)
  return `${verdict.noisy ? '  [NOISY timing: median not trustworthy]' : ''}${baseline ? `  (${baseline})` : ''}`
}

export function candidateTable(detail: RunDetail): string {
  return table(
    ['id', 'origin', 'parent', 'island', 'status', 'median', 'vs eager', 'vs compile', 'timing'],
    detail.candidates.map((candidate) => [
      candidate.id,
      candidate.origin,
      candidate.parentId ?? '-',
      candidate.island === null ? '-' : String(candidate.island),
      candidate.status,
      ms(candidate.verdict?.medianMs),
      times(candidate.speedups?.eager),
      times(candidate.speedups?.compile),
      candidate.verdict?.medianMs === null || candidate.verdict?.medianMs === undefined
        ? ''
        : `${candidate.verdict.noisy ? 'NOISY' : 'quiet'}${candidate.verdict.baseline ? `, ${baselineText(candidate.verdict.baseline)}` : ''}`,
    ]),
  )
}

export const runCommand: Command = {
  name: 'run',
  usage:
    'akg run TASK --dsl D [--device V] [--workflow W] [--model role=provider:model ...] [--replay CASSETTE] [--record FILE] [--budget steps=N,candidates=N,tokens=N,minutes=N] [--search islands=N,...] [--json]',
  summary: 'generate, verify and tune a kernel for a task with the agent loop',
  async run(args, context) {
    const { positional, options } = parseOptions(args, ['model'])
    if (positional.length !== 1) throw usageError('give one task: akg run TASK --dsl cpp (a path or an id from `akg tasks`)')
    const dsl = one(options, 'dsl')
    if (!dsl) throw usageError(`--dsl is required: ${dslNames.slice(0, -1).join(', ')} or ${dslNames.at(-1)}`)
    const record = one(options, 'record')
    const started = await call(context, 'runs.start', {
      taskPath: await resolveTask(context, positional[0]!),
      dsl,
      workflow: one(options, 'workflow') ?? 'single',
      ...commonSpec(options),
      ...(record ? { record: true } : {}),
    })
    const code = await followRun(context, started)
    if (record) {
      const recorded = join(runsRoot(context.host.paths.dataDir), started.id, CASSETTE_FILE)
      if (!existsSync(recorded))
        throw new CliError({ code: 'NOT_FOUND', message: `The run made no completed model call, so there is no session to record (${recorded} is missing).` })
      copyFileSync(recorded, resolve(record))
      context.out(`recorded ${resolve(record)} (replay it with --replay ${record})`)
    }
    return code
  },
}
