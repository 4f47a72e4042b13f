import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import {
  AppError,
  resolveRunSpec,
  runSpecInput,
  type RunSpecInput,
  type CandidateDetail,
  type ForkOrigin,
  type RunDetail,
  type RunEvent,
  type RunEventPage,
  type RunSpec,
  type RunSummary,
  type Verdict,
} from '../../../agents/contract/index.ts'
import { outlineTask } from '../tasks/outline.ts'
import type { Clock } from '../../../agents/ports/index.ts'
import type { KnowledgeSelector, RunDependencies, TuneHook } from '../../../agents/run/context.ts'
import { executeRun } from '../../../agents/run/engine.ts'
import { parseCassette, type Cassette } from '../../../agents/providers/index.ts'
import { foldEvents, summarize } from '../../../agents/run/state.ts'
import type { Host } from '../host.ts'
import { FileRunStore, listRunFolders, readEvents, readSpec, runsRoot, writeSpec } from './run-files.ts'
import { resolveRunModels } from './run-models.ts'


interface ActiveRun {
  controller: AbortController
  done: Promise<RunSummary>
  store: FileRunStore
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((done) => {
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', () => (clearTimeout(timer), done()), { once: true })
    }),
}

/** What the manager needs beyond the host; tests swap the runner or the models. */
export interface RunManagerOptions {
  dependencies?: (spec: RunSpec, prior: RunEvent[]) => Promise<Partial<RunDependencies>>
  tune?: TuneHook
  knowledge?: KnowledgeSelector
  hardware?: RunDependencies['hardware']
}

/** A recorded run's session, beside its log; `akg run --record FILE` copies it out. */
export const CASSETTE_FILE = 'cassette.json'

const newRunId = (): string => `r-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-${randomUUID().slice(0, 6)}`

/**
 * Starts, lists, replays, cancels, resumes and forks runs. Each run is a folder under <data>/runs;
 * everything the UI and CLI show is read back from its log, live runs included.
 */
export class RunManager {
  private readonly active = new Map<string, ActiveRun>()

  constructor(
    private readonly host: Host,
    private readonly options: RunManagerOptions = {},
  ) {}

  private folder(runId: string): string {
    if (!/^[\w.-]+$/.test(runId)) throw new AppError('NOT_FOUND', `There is no run ${JSON.stringify(runId)}.`)
    return join(runsRoot(this.host.paths.dataDir), runId)
  }

  private async readRun(runId: string): Promise<{ spec: RunSpec; events: RunEvent[] }> {
    const folder = this.folder(runId)
    let spec: RunSpec
    try {
      spec = await readSpec(folder)
    } catch {
      throw new AppError('NOT_FOUND', `There is no run ${runId}; \`akg runs\` lists them.`)
    }
    return { spec, events: await readEvents(folder) }
  }

  async start(raw: RunSpecInput, fork: ForkOrigin | null = null, forkCode: string | null = null): Promise<RunSummary> {
    const parsed = runSpecInput.safeParse(raw)
    if (!parsed.success) throw new AppError('VALIDATION', `Invalid run spec: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(spec)'}: ${issue.message}`).join('; ')}`)
    const input = parsed.data
    const spec = resolveRunSpec({ ...input, taskPath: resolve(input.taskPath), ...(input.migrate ? { migrate: { ...input.migrate, sourcePath: resolve(input.migrate.sourcePath) } } : {}) }, fork)
    const outline = outlineTask(await this.readText(spec.taskPath, 'task'))
    // Refuse a file that cannot be a task before any model is called or any run folder is made.
    if (!outline.hasModel || !outline.hasGetInputs || !outline.hasGetInitInputs) {
      throw new AppError('TASK_INVALID', `${spec.taskPath} is not a KernelBench-format task: ${outline.problems.join('; ')}.`, { path: spec.taskPath, problems: outline.problems })
    }
    if (spec.migrate) await this.readText(spec.migrate.sourcePath, 'source kernel')
    const runId = newRunId()
    await writeSpec(this.folder(runId), spec)
    return this.launch(runId, spec, [], forkCode)
  }

  private async readText(path: string, what: string): Promise<string> {
    try {
      return await readFile(path, 'utf8')
    } catch (error) {
      throw new AppError('NOT_FOUND', `Cannot read the ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path.`)
    }
  }

  /**
   * Where a recorded run's cassette goes: cassette.json in its folder, rewritten after every
   * completed model call (writes queued in order), continued from the file when a run resumes.
   */
  private async recording(store: FileRunStore): Promise<{ initial: Cassette['calls']; save: (cassette: Cassette) => void }> {
    const existing = await store.readArtifact(CASSETTE_FILE)
    let initial: Cassette['calls'] = []
    if (existing) {
      try {
        initial = parseCassette(JSON.parse(existing), CASSETTE_FILE).calls
      } catch {
        // A torn file from a crash: start the session again rather than refuse the resume.
      }
    }
    let queue = Promise.resolve()
    return {
      initial,
      save: (cassette) => {
        queue = queue.then(() => store.writeArtifact(CASSETTE_FILE, `${JSON.stringify(cassette, null, 2)}\n`)).catch(() => undefined)
      },
    }
  }

  private async launch(runId: string, spec: RunSpec, prior: RunEvent[], forkCode: string | null): Promise<RunSummary> {
    const store = new FileRunStore(this.folder(runId))
    const controller = new AbortController()
    const taskSource = await this.readText(spec.taskPath, 'task')
    const sourceCode = spec.migrate ? await this.readText(spec.migrate.sourcePath, 'source kernel') : null
    const overrides = (await this.options.dependencies?.(spec, prior)) ?? {}
    const model = overrides.model ?? (await resolveRunModels(this.host, spec, prior, spec.record ? await this.recording(store) : undefined).catch((error: unknown) => {
      throw new AppError('PROVIDER_CONFIG', error instanceof Error ? error.message : String(error))
    }))
    let started!: () => void
    const firstEvent = new Promise<void>((resolveStarted) => (started = resolveStarted))
    const deps: RunDependencies = {
      model,
      runner: overrides.runner ?? this.host.runner,
      clock: overrides.clock ?? systemClock,
      store,
      ...((overrides.knowledge ?? this.options.knowledge) ? { knowledge: overrides.knowledge ?? this.options.knowledge } : {}),
      ...((overrides.tune ?? this.options.tune) ? { tune: overrides.tune ?? this.options.tune } : {}),
      ...((overrides.hardware ?? this.options.hardware) ? { hardware: overrides.hardware ?? this.options.hardware } : {}),
      onEvent: (event) => {
        this.host.events.emit('run-event', event)
        if (event.type === 'run-start') started()
      },
    }
    const done = executeRun({ runId, spec, deps, taskSource, sourceCode, forkCode, priorEvents: prior, signal: controller.signal })
      .catch(async (error: unknown) => {
        // The engine records its own failures; reaching here means the log itself could not be written.
        this.host.events.emit('run-event', { type: 'run-error', runId, seq: -1, time: new Date().toISOString(), candidateId: null, fatal: true, code: 'RUN_STORE', message: error instanceof Error ? error.message : String(error) })
        started()
        return summarize(foldEvents(runId, await readEvents(this.folder(runId))), false)
      })
      .finally(async () => {
        this.active.delete(runId)
        await store.close()
      })
    this.active.set(runId, { controller, done, store })
    await Promise.race([firstEvent, done])
    return this.summary(runId)
  }

  async list(limit = 200): Promise<RunSummary[]> {
    const ids = (await listRunFolders(this.host.paths.dataDir)).sort().reverse().slice(0, limit)
    const summaries: RunSummary[] = []
    for (const id of ids) {
      try {
        summaries.push(await this.summary(id))
      } catch {
        // A folder without a readable spec or log is not a run (or is being created); skip it.
      }
    }
    return summaries
  }

  async summary(runId: string): Promise<RunSummary> {
    const { events } = await this.readRun(runId)
    if (events.length === 0) throw new AppError('NOT_FOUND', `Run ${runId} has not started.`)
    return summarize(foldEvents(runId, events), this.active.has(runId))
  }

  async get(runId: string): Promise<RunDetail> {
    const { spec, events } = await this.readRun(runId)
    const state = foldEvents(runId, events)
    return { spec, summary: summarize(state, this.active.has(runId)), candidates: [...state.candidates.values()] }
  }

  async events(runId: string, fromSeq: number, limit: number): Promise<RunEventPage> {
    const { events } = await this.readRun(runId)
    const page = events.filter((event) => event.seq >= fromSeq).slice(0, limit)
    const nextSeq = page.length > 0 ? page[page.length - 1]!.seq + 1 : fromSeq
    return { events: page, nextSeq, more: events.some((event) => event.seq >= nextSeq), live: this.active.has(runId) }
  }

  async cancel(runId: string): Promise<RunSummary> {
    const active = this.active.get(runId)
    if (!active) {
      await this.readRun(runId)
      throw new AppError('RUN_NOT_ACTIVE', `Run ${runId} is not running in this studio, so there is nothing to cancel.`)
    }
    active.controller.abort()
    return active.done
  }

  async resume(runId: string): Promise<RunSummary> {
    if (this.active.has(runId)) throw new AppError('RUN_ACTIVE', `Run ${runId} is already running.`)
    const { spec } = await this.readRun(runId)
    const events = await readEvents(this.folder(runId), { repair: true })
    const summary = summarize(foldEvents(runId, events), false)
    if (!['interrupted', 'cancelled'].includes(summary.status)) {
      throw new AppError('RUN_FINISHED', `Run ${runId} ended (${summary.status}, ${summary.endReason ?? 'no reason'}); fork one of its candidates to continue from it.`)
    }
    return this.launch(runId, spec, events, null)
  }

  async fork(input: { runId: string; candidateId: string; workflow?: RunSpec['workflow']; budget?: Partial<RunSpec['budget']>; models?: RunSpec['models']; search?: Partial<RunSpec['search']> }): Promise<RunSummary> {
    const { spec } = await this.readRun(input.runId)
    const detail = await this.candidate(input.runId, input.candidateId)
    if (!detail.code) throw new AppError('NO_CODE', `Candidate ${input.candidateId} has no code to fork from (its answer held none).`)
    const workflow = input.workflow ?? (spec.workflow === 'migrate' ? 'single' : spec.workflow)
    return this.start(
      {
        title: `${spec.title} · fork of ${input.candidateId}`,
        taskPath: spec.taskPath,
        dsl: spec.dsl,
        device: spec.device,
        workflow,
        models: { ...spec.models, ...input.models },
        budget: { ...spec.budget, ...input.budget },
        search: { ...spec.search, ...input.search },
      },
      { runId: input.runId, candidateId: input.candidateId },
      detail.code,
    )
  }

  async candidate(runId: string, candidateId: string): Promise<CandidateDetail> {
    const { events } = await this.readRun(runId)
    const state = foldEvents(runId, events)
    const candidate = state.candidates.get(candidateId)
    if (!candidate) throw new AppError('NOT_FOUND', `Run ${runId} has no candidate ${candidateId}.`)
    const store = new FileRunStore(this.folder(runId))
    const parent = candidate.parentId ? state.candidates.get(candidate.parentId) : undefined
    const result = await store.readArtifact(`candidates/${candidateId}/result.json`)
    const planPath = state.plans.get(candidateId)
    return {
      candidate,
      code: candidate.codePath ? await store.readArtifact(candidate.codePath) : null,
      parentCode: parent?.codePath ? await store.readArtifact(parent.codePath) : null,
      verdict: result ? (JSON.parse(result) as Verdict) : null,
      plan: planPath ? await store.readArtifact(planPath) : null,
    }
  }

  /** Resolves when the run ends (the CLI waits on it). */
  async wait(runId: string): Promise<RunSummary> {
    const active = this.active.get(runId)
    return active ? active.done : this.summary(runId)
  }

  runFolder(runId: string): string {
    return this.folder(runId)
  }

  /** At shutdown runs are cancelled; they can be resumed later from their logs. */
  async stop(): Promise<void> {
    const runs = [...this.active.values()]
    for (const run of runs) run.controller.abort()
    await Promise.allSettled(runs.map((run) => run.done))
  }
}
