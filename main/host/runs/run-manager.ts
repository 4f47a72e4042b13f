import { randomUUID } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
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
  type UnreadableRun,
} from '../../../agents/contract/index.ts'
import { outlineTask } from '../tasks/outline.ts'
import type { Clock } from '../../../agents/ports/index.ts'
import type { KnowledgeSelector, RunDependencies, TuneHook } from '../../../agents/run/context.ts'
import { executeRun, RunInterruption, RunStoreFailure } from '../../../agents/run/engine.ts'
import { parseCassette, type Cassette } from '../../../agents/providers/index.ts'
import { foldEvents, summarize } from '../../../agents/run/state.ts'
import type { Runner } from '../../../agents/ports/index.ts'
import type { HostBasics } from '../services.ts'
import { createRunFolder, FileRunStore, listRunFolders, readSpec, runsRoot } from './run-files.ts'
import { acquireRunLock, liveOwner, type RunLock } from './run-lock.ts'
import { dropTornLine, LOG_FILE, readRunLog, type RunLog } from './run-log.ts'
import { resolveRunModels, type RunModelDependencies } from './run-models.ts'
import { hostPreflight, preflightError, type Preflight, type PreflightDependencies } from './run-preflight.ts'
import { runFolder } from '../../../agents/contract/registry.ts'

/** What a run needs before its folder is touched. */
interface Prepared {
  taskSource: string
  sourceCode: string | null
  overrides: Partial<RunDependencies>
  model: RunDependencies['model']
}

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

/**
 * What the manager is built from: the data folder and the bus its events go out on, the runner
 * and providers a run uses, and what the default preflight checks with.
 */
export type RunManagerDependencies = Pick<HostBasics, 'paths' | 'events'> &
  RunModelDependencies &
  PreflightDependencies & {
    /** Which front door this process is; a run's lock names it so others can say who runs it. */
    program: string
    runner: Runner
  }

/** What the manager takes beyond its dependencies; tests swap the runner or the models. */
export interface RunManagerOptions {
  dependencies?: (spec: RunSpec, prior: RunEvent[]) => Promise<Partial<RunDependencies>>
  /**
   * Checks the setup before a run's first model call. Defaults to the harness and provider checks
   * (run-preflight.ts); tests that swap in their own runner and models pass their own, or null.
   */
  preflight?: Preflight | null
  tune?: TuneHook
  knowledge?: KnowledgeSelector
  hardware?: RunDependencies['hardware']
  host?: RunDependencies['host']
}

/** A recorded run's session, beside its log; `akg run --record FILE` copies it out. */
export const CASSETTE_FILE = runFolder.cassette

const newRunId = (): string => `r-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-${randomUUID().slice(0, 6)}`

/**
 * Starts, lists, replays, cancels, resumes and forks runs. Each run is a folder under <data>/runs;
 * everything the UI and CLI show is read back from its log, live runs included.
 */
export class RunManager {
  private readonly active = new Map<string, ActiveRun>()

  constructor(
    private readonly deps: RunManagerDependencies,
    private readonly options: RunManagerOptions = {},
  ) {}

  private folder(runId: string): string {
    if (!/^[\w.-]+$/.test(runId)) throw new AppError('NOT_FOUND', `There is no run ${JSON.stringify(runId)}.`)
    return join(runsRoot(this.deps.paths.dataDir), runId)
  }

  /**
   * A run's spec and committed events. The spec comes from spec.json, or from the log's first
   * run-start where spec.json is missing or damaged; a log line that is not an event is an error
   * naming the line (never a silent cut).
   */
  private async readRun(runId: string): Promise<{ spec: RunSpec; events: RunEvent[]; log: RunLog }> {
    const folder = this.folder(runId)
    if (
      !(await stat(folder)
        .then((info) => info.isDirectory())
        .catch(() => false))
    )
      throw new AppError('NOT_FOUND', `There is no run ${runId}; \`akg runs\` lists them.`)
    const log = await readRunLog(folder, runId)
    const start = log.events[0]
    let spec: RunSpec
    try {
      spec = await readSpec(folder)
    } catch (error) {
      if (start?.type !== 'run-start')
        throw new AppError('RUN_UNREADABLE', `Run ${runId} cannot be read: ${(error as Error).message}, and its log has no run-start to take the spec from.`, {
          folder,
        })
      spec = start.spec
    }
    if (log.events.length === 0)
      throw new AppError(
        'RUN_UNREADABLE',
        `Run ${runId} cannot be read: its log ${join(folder, LOG_FILE)} holds no events${log.tornBytes > 0 ? ' (only a cut-off line)' : ''}.`,
        { folder },
      )
    return { spec, events: log.events, log }
  }

  async start(raw: RunSpecInput, fork: ForkOrigin | null = null, forkCode: string | null = null): Promise<RunSummary> {
    const parsed = runSpecInput.safeParse(raw)
    if (!parsed.success)
      throw new AppError(
        'VALIDATION',
        `Invalid run spec: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(spec)'}: ${issue.message}`).join('; ')}`,
      )
    const input = parsed.data
    const asked = resolveRunSpec(
      {
        ...input,
        taskPath: resolve(input.taskPath),
        ...(input.migrate ? { migrate: { ...input.migrate, sourcePath: resolve(input.migrate.sourcePath) } } : {}),
      },
      fork,
    )
    // A run on a bare `cuda` keeps one device, so its candidates' times can be ranked against each other.
    const spec = { ...asked, device: (await this.deps.runner.pinDevice?.(asked.device)) ?? asked.device }
    const outline = outlineTask(await this.readText(spec.taskPath, 'task'))
    // Refuse a file that cannot be a task before any model is called or any run folder is made.
    if (!outline.hasModel || !outline.hasGetInputs || !outline.hasGetInitInputs) {
      throw new AppError('TASK_INVALID', `${spec.taskPath} is not a KernelBench-format task: ${outline.problems.join('; ')}.`, {
        path: spec.taskPath,
        problems: outline.problems,
      })
    }
    if (spec.migrate) await this.readText(spec.migrate.sourcePath, 'source kernel')
    await this.preflight(spec)
    const runId = newRunId()
    const prepared = await this.prepare(runId, spec, [])
    const first = { type: 'run-start', runId, seq: 0, time: new Date().toISOString(), spec, resumed: false } as RunEvent
    const lock = await createRunFolder(runsRoot(this.deps.paths.dataDir), runId, spec, first, this.deps.program)
    return this.launch(runId, spec, [first], prepared, forkCode, lock, true)
  }

  /** Refuses a run whose setup cannot work, naming each cause and its fix, before any model is called. */
  private async preflight(spec: RunSpec): Promise<void> {
    const check = this.options.preflight === undefined ? (this.options.dependencies ? null : hostPreflight(this.deps)) : this.options.preflight
    const problems = check ? await check(spec) : []
    if (problems.length > 0) throw preflightError(spec, problems)
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

  /** Everything a run needs before its folder is touched: texts, models, runner; a failure here leaves nothing on disk. */
  private async prepare(runId: string, spec: RunSpec, prior: RunEvent[]): Promise<Prepared> {
    const taskSource = await this.readText(spec.taskPath, 'task')
    const sourceCode = spec.migrate ? await this.readText(spec.migrate.sourcePath, 'source kernel') : null
    const overrides = (await this.options.dependencies?.(spec, prior)) ?? {}
    const model =
      overrides.model ??
      (await resolveRunModels(this.deps, spec, prior, spec.record ? await this.recording(new FileRunStore(this.folder(runId))) : undefined).catch(
        (error: unknown) => {
          throw new AppError('PROVIDER_CONFIG', error instanceof Error ? error.message : String(error))
        },
      ))
    return { taskSource, sourceCode, overrides, model }
  }

  private async launch(
    runId: string,
    spec: RunSpec,
    prior: RunEvent[],
    prepared: Prepared,
    forkCode: string | null,
    lock: RunLock,
    startRecorded: boolean,
  ): Promise<RunSummary> {
    const store = new FileRunStore(this.folder(runId))
    const controller = new AbortController()
    const { overrides, model } = prepared
    let started!: () => void
    const firstEvent = new Promise<void>((resolveStarted) => (started = resolveStarted))
    const deps: RunDependencies = {
      model,
      runner: overrides.runner ?? this.deps.runner,
      clock: overrides.clock ?? systemClock,
      store,
      ...((overrides.knowledge ?? this.options.knowledge) ? { knowledge: overrides.knowledge ?? this.options.knowledge } : {}),
      ...((overrides.tune ?? this.options.tune) ? { tune: overrides.tune ?? this.options.tune } : {}),
      ...((overrides.hardware ?? this.options.hardware) ? { hardware: overrides.hardware ?? this.options.hardware } : {}),
      ...((overrides.host ?? this.options.host) ? { host: overrides.host ?? this.options.host } : {}),
      onEvent: (event) => {
        this.deps.events.emit('run-event', event)
        if (event.type === 'run-start') started()
      },
    }
    const done = executeRun({
      runId,
      spec,
      deps,
      taskSource: prepared.taskSource,
      sourceCode: prepared.sourceCode,
      forkCode,
      priorEvents: prior,
      startRecorded,
      signal: controller.signal,
    })
      .catch(async (error: unknown) => {
        // The engine records its own failures (a disk failure too); reaching here otherwise means the log itself could not be written.
        if (!(error instanceof RunStoreFailure)) {
          this.deps.events.emit('run-event', {
            type: 'run-error',
            runId,
            seq: -1,
            time: new Date().toISOString(),
            candidateId: null,
            fatal: true,
            code: 'RUN_STORE',
            message: error instanceof Error ? error.message : String(error),
          })
        }
        started()
        return summarize(foldEvents(runId, (await readRunLog(this.folder(runId), runId).catch(() => ({ events: prior }))).events), false)
      })
      .finally(async () => {
        this.active.delete(runId)
        await store.close()
        await lock.release()
      })
    this.active.set(runId, { controller, done, store })
    await Promise.race([firstEvent, done])
    return this.summary(runId)
  }

  /** Every run folder, newest first: the runs, and the folders that cannot be read with the reason. */
  private async scan(limit: number): Promise<{ runs: RunSummary[]; unreadable: UnreadableRun[] }> {
    const ids = (await listRunFolders(this.deps.paths.dataDir)).sort().reverse().slice(0, limit)
    const runs: RunSummary[] = []
    const unreadable: UnreadableRun[] = []
    for (const id of ids) {
      try {
        runs.push(await this.summary(id))
      } catch (error) {
        unreadable.push({ id, folder: join(runsRoot(this.deps.paths.dataDir), id), reason: error instanceof Error ? error.message : String(error) })
      }
    }
    return { runs, unreadable }
  }

  async list(limit = 200): Promise<RunSummary[]> {
    return (await this.scan(limit)).runs
  }

  /** Run folders that cannot be read, each with what is wrong; `akg runs` and the Runs view show them. */
  async unreadable(limit = 200): Promise<UnreadableRun[]> {
    return (await this.scan(limit)).unreadable
  }

  async summary(runId: string): Promise<RunSummary> {
    const { events } = await this.readRun(runId)
    const live = this.active.has(runId)
    return summarize(foldEvents(runId, events), live, live ? null : await liveOwner(this.folder(runId)))
  }

  async get(runId: string): Promise<RunDetail> {
    const { spec, events } = await this.readRun(runId)
    const state = foldEvents(runId, events)
    const live = this.active.has(runId)
    return { spec, summary: summarize(state, live, live ? null : await liveOwner(this.folder(runId))), candidates: [...state.candidates.values()] }
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
      const owner = await liveOwner(this.folder(runId))
      if (owner)
        throw new AppError(
          'RUN_ELSEWHERE',
          `Run ${runId} is running in process ${owner.pid} (${owner.program}) on ${owner.hostname}; cancel it there (Ctrl-C for the CLI).`,
          { owner },
        )
      throw new AppError('RUN_NOT_ACTIVE', `Run ${runId} is not running in this studio, so there is nothing to cancel.`)
    }
    active.controller.abort()
    return active.done
  }

  /**
   * Continues an interrupted run. The run's lock is taken before its log is touched, so a second
   * resume (here or in another process) is refused and never repairs or appends to a log in use.
   */
  async resume(runId: string): Promise<RunSummary> {
    if (this.active.has(runId)) throw new AppError('RUN_ACTIVE', `Run ${runId} is already running.`)
    const folder = this.folder(runId)
    await this.preflight((await this.readRun(runId)).spec)
    const lock = await acquireRunLock(folder, runId, this.deps.program)
    try {
      const { spec, events, log } = await this.readRun(runId)
      const summary = summarize(foldEvents(runId, events), false)
      if (!['interrupted', 'cancelled'].includes(summary.status)) {
        throw new AppError(
          'RUN_FINISHED',
          `Run ${runId} ended (${summary.status}, ${summary.endReason ?? 'no reason'}); fork one of its candidates to continue from it.`,
        )
      }
      const prepared = await this.prepare(runId, spec, events)
      await dropTornLine(folder, log)
      return await this.launch(runId, spec, events, prepared, null, lock, false)
    } catch (error) {
      await lock.release()
      throw error
    }
  }

  async fork(input: {
    runId: string
    candidateId: string
    workflow?: RunSpec['workflow']
    budget?: Partial<RunSpec['budget']>
    models?: RunSpec['models']
    search?: Partial<RunSpec['search']>
  }): Promise<RunSummary> {
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
    const planPath = state.plans.get(candidateId)
    return {
      candidate,
      code: candidate.codePath ? await store.readArtifact(candidate.codePath) : null,
      parentCode: parent?.codePath ? await store.readArtifact(parent.codePath) : null,
      // From the log, never from result.json: see RunState.verdicts.
      verdict: state.verdicts.get(candidateId) ?? null,
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

  /** At shutdown runs are interrupted, not cancelled: they list as interrupted and resume from their logs. */
  async stop(): Promise<void> {
    const runs = [...this.active.values()]
    for (const run of runs) run.controller.abort(new RunInterruption())
    await Promise.allSettled(runs.map((run) => run.done))
  }
}
