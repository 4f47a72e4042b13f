import type { EvaluationRecord, TuneSession } from '../../../agents/contract/index.ts'
import type { CliContext, Command } from '../command.ts'
import { table } from '../format.ts'
import { call, CliError } from './basic.ts'

const USAGE = 'akg tune KERNEL --task TASK [--dsl D] [--device V] [--family F] [--strategy NAME|FILE] [--budget evals=N,minutes=M] [--json]'

function usageError(message: string): CliError {
  return new CliError({ code: 'USAGE', message: `${message}\nusage: ${USAGE}` })
}

/** Parses `evals=N,minutes=M` (either part may be left out). */
export function parseBudget(text: string): { evaluations?: number; minutes?: number } {
  const budget: { evaluations?: number; minutes?: number } = {}
  for (const part of text.split(',').filter(Boolean)) {
    const [key, value] = part.split('=')
    const number = Number(value)
    if (!value || !Number.isFinite(number) || number <= 0) throw usageError(`--budget ${part}: give a positive number, as in evals=40,minutes=5`)
    if (key === 'evals' || key === 'evaluations') budget.evaluations = Math.round(number)
    else if (key === 'minutes') budget.minutes = number
    else throw usageError(`--budget: unknown part "${key}"; use evals=N and/or minutes=M`)
  }
  return budget
}

function parseArguments(args: string[]) {
  const options: Record<string, string> = {}
  const positional: string[] = []
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!
    if (arg.startsWith('--')) {
      const value = args[index + 1]
      if (value === undefined || value.startsWith('--')) throw usageError(`${arg} needs a value`)
      options[arg.slice(2)] = value
      index++
    } else positional.push(arg)
  }
  const known = ['task', 'dsl', 'device', 'family', 'strategy', 'budget', 'kernel']
  const unknown = Object.keys(options).filter((name) => !known.includes(name))
  if (unknown.length > 0) throw usageError(`unknown option --${unknown[0]}`)
  if (positional.length !== 1) throw usageError('give exactly one KERNEL (the candidate file to tune)')
  if (!options.task) throw usageError('--task is required (a task id from `akg tasks` or a task file)')
  return { candidate: positional[0]!, options }
}

const params = (record: EvaluationRecord) =>
  Object.entries(record.params)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ')
const latency = (record: EvaluationRecord) => (record.latencyMs === null ? '-' : `${(record.latencyMs * 1000).toFixed(1)} us`)

function progressLine(record: EvaluationRecord, session: { budget: number }): string {
  const outcome =
    record.status === 'passed'
      ? latency(record)
      : `${record.status.toUpperCase()} ${record.error ? `[${record.error.stage}] ${record.error.message.split('\n')[0]!.slice(0, 100)}` : ''}`
  if (record.phase === 'confirm') return `[confirm round ${(record.round ?? 0) + 1}] ${params(record).padEnd(40)} ${outcome}  (${record.timingTrials} trials)`
  return `[${String(record.index + 1).padStart(3)}/${session.budget}] ${params(record).padEnd(40)} ${outcome}${record.rung > 0 ? `  (rung ${record.rung}, ${record.timingTrials} trials)` : ''}`
}

function summary(session: TuneSession, context: CliContext): void {
  const searched = session.records.filter((record) => record.phase !== 'confirm')
  const passed = searched.filter((record) => record.status === 'passed')
  const ranked = [...passed].sort((a, b) => (a.latencyMs ?? Infinity) - (b.latencyMs ?? Infinity))
  const failures = searched.filter((record) => record.status === 'failed' || record.status === 'violates')
  const rows = [...ranked.slice(0, 10), ...failures].map((record) => [
    params(record),
    record.status,
    latency(record),
    record.error ? `${record.error.stage}: ${record.error.message.split('\n')[0]!.slice(0, 80)}` : '',
  ])
  context.out('')
  context.out(table(['configuration', 'status', 'search median', 'error'], rows))
  context.out('')
  const confirmation = session.confirmation
  if (confirmation) {
    const ms = (value: number | null) => (value === null ? '-' : `${(value * 1000).toFixed(1)} us`)
    const confirmedRows = confirmation.configurations.map((item) => [
      `${Object.entries(item.params)
        .map(([name, value]) => `${name}=${value}`)
        .join(' ')}${item.isDefault ? ' (own)' : ''}`,
      ms(item.searchMedianMs),
      ms(item.confirmedMedianMs),
      item.roundMediansMs.map((value) => (value * 1000).toFixed(1)).join(' / '),
      item.error ? `${item.error.stage}: ${item.error.message.split('\n')[0]!.slice(0, 60)}` : '',
    ])
    context.out(
      `confirmation: ${confirmation.configurations.length} finalists re-timed in ${confirmation.rounds} interleaved rounds of ${confirmation.timingTrialsPerRound} trials (${confirmation.runnerCalls} runner calls)${confirmation.changedWinner ? "; it replaced the search's fastest" : "; it kept the search's fastest"}`,
    )
    context.out(table(['configuration', 'search median', 'confirmed median', 'round medians (us)', 'error'], confirmedRows))
    context.out('')
  }
  const evaluations = session.evaluations ?? searched.length
  const counted = confirmation
    ? ` (${searched.length} searched + ${confirmation.configurations.length} confirmed, each confirmed configuration counted once)`
    : ''
  context.out(
    `stopped: ${session.stopReason ?? session.state}; ${evaluations} evaluations of ${session.strategy.budget.evaluations}${counted}, ${failures.length} failed, ${session.skipped.length} skipped by static constraints (space ${session.space.size}, feasible ${session.space.feasible ?? '?'})`,
  )
  for (const note of session.notes) context.out(`note: ${note}`)
  if (session.best) {
    // Compare like with like: the candidate's own confirmed median when the confirmation re-timed it.
    const baselineMs = confirmation?.configurations.find((item) => item.isDefault)?.confirmedMedianMs ?? session.baseline?.latencyMs
    const gain =
      session.baseline && baselineMs && session.best.latencyMs
        ? ` (${(baselineMs / session.best.latencyMs).toFixed(2)}x over the candidate's own ${params(session.baseline)})`
        : ''
    const confirmedNote = session.best.phase === 'confirm' ? ' (confirmed median)' : ''
    context.out(`best: ${params(session.best)} at ${latency(session.best)}${confirmedNote}${gain}`)
    context.out(`best candidate written to ${session.bestCandidatePath}`)
  } else if (!session.strategy.timing) {
    context.out(`correctness only on this device: ${passed.length} of ${session.records.length} configurations passed; no timing claims.`)
  }
  if (session.error) context.out(`error: ${session.error.message} [${session.error.code}]`)
}

export const tuneCommand: Command = {
  name: 'tune',
  usage: USAGE,
  summary: "search a kernel's declared tunables (akg:tune) with the scenario's preset strategy",
  async run(args, context) {
    const { candidate, options } = parseArguments(args)
    const unsubscribe = context.host.events.subscribe((name, payload) => {
      if (context.json || name !== 'tune-progress') return
      const event = payload as { record: EvaluationRecord; progress: { budgetEvaluations: number } }
      context.out(progressLine(event.record, { budget: event.progress.budgetEvaluations }))
    })
    try {
      const started = await call(context, 'tuner.start', {
        task: options.task,
        candidate,
        ...(options.dsl ? { dsl: options.dsl } : {}),
        ...(options.device ? { device: options.device } : {}),
        ...(options.family ? { deviceFamily: options.family } : {}),
        ...(options.strategy ? { strategy: options.strategy } : {}),
        ...(options.kernel ? { kernel: options.kernel } : {}),
        ...(options.budget ? { budget: parseBudget(options.budget) } : {}),
      })
      if (!context.json) {
        context.out(
          `tuning ${started.kernel}: ${started.space.parameters.map((parameter) => `${parameter.name}[${parameter.values.join(',')}]`).join(' ')} = ${started.space.size} configurations (${started.space.declaredBy})`,
        )
        for (const reason of started.strategy.reasons) context.out(`why: ${reason}`)
        context.out(
          `budget: ${started.strategy.budget.evaluations} evaluations, ${started.strategy.budget.minutes} minutes on ${started.device} (${started.deviceFamily})`,
        )
      }
      const session = await context.host.tuner.wait(started.id)
      if (context.json) context.out(JSON.stringify(session, null, 2))
      else summary(session, context)
      return session.state === 'failed' ? 1 : 0
    } finally {
      unsubscribe()
    }
  },
}
