import { randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { AppError, type BenchReport, type BenchRow, type BenchSummary, type RunSpecInput } from '../../../agents/contract/index.ts'
import { baselineText } from '../../../agents/roles/verifier.ts'
import { benchCsv, benchMetrics } from '../../../agents/run/bench-metrics.ts'
import type { RunManager } from '../runs/run-manager.ts'
import type { HostBasics } from '../services.ts'

/** What bench.json holds: the shared spec, the tasks in order and the run of each. */
interface BenchDocument {
  summary: BenchSummary
  spec: Omit<RunSpecInput, 'taskPath'>
  tasks: Array<{ taskPath: string; runId: string | null; error?: string }>
}

export type BenchInput = Omit<RunSpecInput, 'taskPath' | 'workflow'> & { taskPaths: string[]; workflow?: RunSpecInput['workflow'] }

const writeJson = async (path: string, value: unknown) => {
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`)
  await rename(temporary, path)
}

/**
 * A bench runs the same spec over a list of tasks, one run per task in turn (so timings do not
 * compete for the device), and reports KernelBench's fast_p and geometric-mean speedups.
 */
/** What a bench is built from: the data folder, the bus its progress goes out on, and the runs it starts. */
export type BenchDependencies = Pick<HostBasics, 'paths' | 'events'> & {
  runs: Pick<RunManager, 'start' | 'cancel' | 'wait' | 'summary' | 'candidate'>
}

export class BenchManager {
  private readonly active = new Map<string, { controller: AbortController; done: Promise<void> }>()

  constructor(private readonly deps: BenchDependencies) {}

  private root(): string {
    return join(this.deps.paths.dataDir, 'benches')
  }

  private folder(benchId: string): string {
    if (!/^[\w.-]+$/.test(benchId)) throw new AppError('NOT_FOUND', `There is no bench ${JSON.stringify(benchId)}.`)
    return join(this.root(), benchId)
  }

  private async read(benchId: string): Promise<BenchDocument> {
    try {
      return JSON.parse(await readFile(join(this.folder(benchId), 'bench.json'), 'utf8')) as BenchDocument
    } catch {
      throw new AppError('NOT_FOUND', `There is no bench ${benchId}; \`akg bench\` starts one.`)
    }
  }

  async start(input: BenchInput): Promise<BenchSummary> {
    const { taskPaths, ...spec } = input
    const tasks = taskPaths.map((path) => ({ taskPath: resolve(path), runId: null as string | null }))
    const id = `b-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-${randomUUID().slice(0, 6)}`
    const summary: BenchSummary = {
      id,
      title: spec.title ?? `${tasks.length} tasks · ${spec.dsl} · ${spec.workflow ?? 'single'}`,
      dsl: spec.dsl,
      device: spec.device ?? 'cpu',
      workflow: spec.workflow ?? 'single',
      status: 'running',
      createdAt: new Date().toISOString(),
      endedAt: null,
      tasks: tasks.length,
      finished: 0,
    }
    const document: BenchDocument = { summary, spec, tasks }
    await mkdir(this.folder(id), { recursive: true })
    await writeJson(join(this.folder(id), 'bench.json'), document)
    const controller = new AbortController()
    const done = this.execute(document, controller.signal).finally(() => this.active.delete(id))
    this.active.set(id, { controller, done })
    this.deps.events.emit('bench-progress', summary)
    return summary
  }

  private async execute(document: BenchDocument, signal: AbortSignal): Promise<void> {
    const save = () => writeJson(join(this.folder(document.summary.id), 'bench.json'), document)
    for (const task of document.tasks) {
      if (signal.aborted) break
      try {
        const run = await this.deps.runs.start({ ...document.spec, taskPath: task.taskPath, title: `${document.summary.title} · ${basename(task.taskPath)}` })
        task.runId = run.id
        await save()
        const cancel = () => void this.deps.runs.cancel(run.id).catch(() => undefined)
        signal.addEventListener('abort', cancel, { once: true })
        await this.deps.runs.wait(run.id)
        signal.removeEventListener('abort', cancel)
      } catch (error) {
        // A task that cannot start (malformed file, provider error) is a row with its reason; the bench goes on.
        task.error = error instanceof Error ? error.message : String(error)
      }
      document.summary.finished += 1
      await save()
      this.deps.events.emit('bench-progress', document.summary)
    }
    document.summary.status = signal.aborted ? 'cancelled' : 'completed'
    document.summary.endedAt = new Date().toISOString()
    await save()
    this.deps.events.emit('bench-progress', document.summary)
  }

  async list(): Promise<BenchSummary[]> {
    const ids = await readdir(this.root()).then(
      (names) => names.sort().reverse(),
      () => [] as string[],
    )
    const summaries: BenchSummary[] = []
    for (const id of ids)
      summaries.push(
        ...(await this.read(id)
          .then((document) => [document.summary])
          .catch(() => [])),
      )
    return summaries
  }

  async get(benchId: string): Promise<BenchReport> {
    const document = await this.read(benchId)
    const rows: BenchRow[] = []
    for (const task of document.tasks) {
      const taskName = basename(task.taskPath).replace(/\.py$/, '')
      const summary = task.runId ? await this.deps.runs.summary(task.runId).catch(() => null) : null
      const best = summary?.best ?? null
      const detail = best && task.runId ? await this.deps.runs.candidate(task.runId, best.candidateId).catch(() => null) : null
      rows.push({
        taskPath: task.taskPath,
        taskName,
        runId: task.runId,
        runStatus: summary?.status ?? (task.error ? 'not-started' : 'pending'),
        error:
          task.error ??
          (summary && best === null && summary.status !== 'running'
            ? `${summary.status} (${summary.endReason ?? 'no reason'}): ${summary.endDetail ?? 'no detail recorded'}`
            : null),
        models: summary ? [...new Set(Object.values(summary.models).map((value) => (value.startsWith('cassette:') ? 'replay' : value)))] : [],
        replay: summary?.replay ?? false,
        correct: best !== null,
        bestCandidateId: best?.candidateId ?? null,
        medianMs: best?.medianMs ?? null,
        eagerMs: detail?.candidate.verdict?.eagerMs ?? null,
        compileMs: detail?.candidate.verdict?.compileMs ?? null,
        speedupVsEager: best?.speedupVsEager ?? null,
        speedupVsCompile: best?.speedupVsCompile ?? null,
        noisy: detail?.candidate.verdict?.noisy ?? false,
        baseline: baselineText(detail?.candidate.verdict?.baseline),
      })
    }
    return { summary: document.summary, rows, metrics: benchMetrics(rows) }
  }

  /** Writes report.json or report.csv into the bench's folder and returns it. */
  async export(benchId: string, format: 'csv' | 'json'): Promise<{ format: 'csv' | 'json'; path: string; content: string }> {
    const report = await this.get(benchId)
    const content = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : benchCsv(report.rows, report.metrics)
    const path = join(this.folder(benchId), `report.${format}`)
    await writeFile(path, content)
    return { format, path, content }
  }

  async wait(benchId: string): Promise<void> {
    await this.active.get(benchId)?.done
  }

  async stop(): Promise<void> {
    const benches = [...this.active.values()]
    for (const bench of benches) bench.controller.abort()
    await Promise.allSettled(benches.map((bench) => bench.done))
  }
}
