import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { basename, extname, join, resolve } from 'node:path'
import { AppError, type TuneSession, type TunerPresetList } from '../../../agents/contract/index.ts'
import type { Clock } from '../../../agents/ports/index.ts'
import type { Dsl, Runner } from '../../../agents/ports/runner.ts'
import {
  DeclarationError,
  parseSpace,
  PresetError,
  resolveStrategy,
  runSearch,
  selectPreset,
  spaceSize,
  type LoadedPreset,
  type TuneResult,
} from '../../../agents/tuner/index.ts'
import { dslNames } from '../../../agents/contract/registry.ts'
import { guessDsl, resolveDeviceFamily } from './device-family.ts'
import { loadPresetFile, loadPresets } from './presets.ts'

export interface TunerServiceOptions {
  runner: Runner
  /** Shipped presets first, then the user's, which win on a name clash. */
  presetFolders: string[]
  /** Where sessions and best candidates are written (<data>/tuner). */
  dataDir: string
  resolveTask: (reference: string) => Promise<{ path: string; name: string }>
  emit: {
    start(session: TuneSession): void
    progress(payload: { id: string; record: TuneSession['records'][number]; progress: TuneSession['progress'] }): void
    end(session: TuneSession): void
  }
  clock?: Clock
  deviceFamily?: (dsl: Dsl, device: string) => Promise<string>
}

export interface StartInput {
  task: string
  candidate: string
  dsl?: Dsl
  device: string
  deviceFamily?: string
  strategy?: string
  budget?: { evaluations?: number; minutes?: number }
  kernel?: string
}

const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((done) => {
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', () => (clearTimeout(timer), done()), { once: true })
    }),
}

/**
 * Runs tuning sessions in the background: one search per session over the runner's warm workers,
 * progress as events, the session and the best candidate written under <data>/tuner/<id>/.
 */
export class TunerService {
  private readonly sessions = new Map<string, { session: TuneSession; controller: AbortController; done: Promise<void> }>()

  constructor(private readonly options: TunerServiceOptions) {}

  async presets(): Promise<TunerPresetList> {
    const { presets, problems } = await loadPresets(this.options.presetFolders)
    return {
      presets: presets.map(({ preset, file }) => ({
        name: preset.name,
        file,
        description: preset.description,
        automatic: preset.automatic,
        match: preset.match,
        strategy: preset.strategy.kind,
        timing: preset.timing,
        budget: preset.budget,
        overrides: preset.overrides.map((override) => ({ kernel: override.match.kernel, reason: override.reason })),
      })),
      problems,
    }
  }

  async start(input: StartInput): Promise<TuneSession> {
    const task = await this.options.resolveTask(input.task)
    const candidatePath = resolve(input.candidate)
    let source: string
    try {
      source = await readFile(candidatePath, 'utf8')
    } catch (error) {
      throw new AppError('TUNER_CANDIDATE_UNREADABLE', `Cannot read the candidate ${candidatePath}: ${error instanceof Error ? error.message : String(error)}`)
    }
    const dsl = input.dsl ?? guessDsl(source)
    if (!dsl) throw new AppError('TUNER_DSL_UNKNOWN', `Cannot tell the DSL of this candidate from its source; pass --dsl ${dslNames.join('|')}.`)
    let space
    try {
      space = parseSpace(source, dsl)
    } catch (error) {
      if (error instanceof DeclarationError) throw new AppError('TUNER_DECLARATION', `${basename(candidatePath)}: ${error.message}`)
      throw error
    }
    if (space.parameters.length === 0) {
      throw new AppError(
        'TUNER_NO_TUNABLES',
        `${basename(candidatePath)} declares nothing to tune: add a line like \`BLOCK_SIZE = 1024  # akg:tune [256, 512, 1024]\` (Python) or \`#define TILE 32  // akg:tune [16, 32, 64]\` (C/C++/CUDA); see docs/tuner.md.`,
      )
    }
    const deviceFamily = input.deviceFamily ?? (await (this.options.deviceFamily ?? resolveDeviceFamily)(dsl, input.device))
    const kernel = input.kernel ?? task.name
    const strategy = await this.resolve(input, { dsl, deviceFamily, kernel })
    const size = spaceSize(space)
    const id = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`
    const session: TuneSession = {
      id,
      state: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      taskPath: task.path,
      candidatePath,
      dsl,
      device: input.device,
      deviceFamily,
      kernel,
      strategy,
      space: { parameters: space.parameters, size, feasible: null, declaredBy: space.declaredBy },
      records: [],
      skipped: [],
      best: null,
      baseline: null,
      progress: { evaluated: 0, skipped: 0, failed: 0, budgetEvaluations: strategy.budget.evaluations, best: null, elapsedMs: 0 },
      stopReason: null,
      notes: [],
      bestCandidatePath: null,
      error: null,
    }
    const controller = new AbortController()
    this.options.emit.start(structuredClone(session))
    const done = runSearch({
      source,
      space,
      candidatePath,
      taskPath: task.path,
      dsl,
      device: input.device,
      strategy,
      runner: this.options.runner,
      clock: this.options.clock ?? systemClock,
      signal: controller.signal,
      materialize: async (variant, key) => {
        const folder = join(this.options.dataDir, id, 'variants')
        await mkdir(folder, { recursive: true })
        const path = join(folder, `${createHash('sha256').update(key).digest('hex').slice(0, 16)}${extname(candidatePath) || '.py'}`)
        await writeFile(path, variant)
        return path
      },
      onRecord: (record, progress) => {
        session.records.push(record)
        session.best = progress.best
        session.progress = progress
        this.options.emit.progress({ id, record, progress })
      },
    }).then(
      (result) => this.finish(session, result, controller.signal.aborted),
      (error: unknown) => this.fail(session, error),
    )
    this.sessions.set(id, { session, controller, done })
    return structuredClone(session)
  }

  private async resolve(input: StartInput, scenario: { dsl: Dsl; deviceFamily: string; kernel: string }) {
    try {
      const { presets, problems } = await loadPresets(this.options.presetFolders)
      let pool: LoadedPreset[] = presets
      let chosen = input.strategy
      if (chosen && (chosen.endsWith('.json') || chosen.includes('/'))) {
        const loaded = await loadPresetFile(resolve(chosen))
        pool = [loaded]
        chosen = loaded.preset.name
      } else if (chosen && !presets.some((item) => item.preset.name === chosen)) {
        const broken = problems.find((problem) => basename(problem.file, '.json') === chosen)
        if (broken) throw new AppError('TUNER_PRESET_INVALID', broken.message, broken)
      }
      const { loaded, reason } = selectPreset(pool, scenario, chosen)
      return resolveStrategy(loaded, reason, scenario.kernel, input.budget)
    } catch (error) {
      if (error instanceof AppError) throw error
      if (error instanceof PresetError) throw new AppError('TUNER_PRESET_INVALID', error.message, { file: error.file, field: error.field })
      throw new AppError('TUNER_NO_PRESET', error instanceof Error ? error.message : String(error))
    }
  }

  private async finish(session: TuneSession, result: TuneResult, cancelled: boolean): Promise<void> {
    Object.assign(session, {
      state: cancelled || result.stopReason === 'cancelled' ? 'cancelled' : 'finished',
      finishedAt: new Date().toISOString(),
      records: result.records,
      skipped: result.skipped,
      best: result.best,
      confirmation: result.confirmation,
      evaluations: result.evaluations,
      baseline: result.baseline,
      stopReason: result.stopReason,
      notes: result.notes,
      space: { ...session.space, feasible: result.space.feasible },
    } satisfies Partial<TuneSession>)
    const folder = join(this.options.dataDir, session.id)
    await mkdir(folder, { recursive: true })
    if (result.bestSource) {
      session.bestCandidatePath = join(folder, `best${extname(session.candidatePath) || '.py'}`)
      await writeFile(session.bestCandidatePath, result.bestSource)
    }
    await writeFile(join(folder, 'session.json'), `${JSON.stringify(session, null, 2)}\n`)
    this.options.emit.end(structuredClone(session))
  }

  private async fail(session: TuneSession, error: unknown): Promise<void> {
    session.state = 'failed'
    session.finishedAt = new Date().toISOString()
    session.error =
      error instanceof AppError
        ? { code: error.code, message: error.message }
        : { code: 'TUNER_FAILED', message: error instanceof Error ? error.message : String(error) }
    this.options.emit.end(structuredClone(session))
  }

  get(id: string): TuneSession {
    const entry = this.sessions.get(id)
    if (!entry) throw new AppError('TUNER_NOT_FOUND', `No tuning session ${id} in this backend; tuner.list shows the ones there are.`)
    return structuredClone(entry.session)
  }

  list(): TuneSession[] {
    return [...this.sessions.values()].map((entry) => structuredClone(entry.session))
  }

  async cancel(id: string): Promise<TuneSession> {
    const entry = this.sessions.get(id)
    if (!entry) throw new AppError('TUNER_NOT_FOUND', `No tuning session ${id} in this backend.`)
    entry.controller.abort()
    await entry.done
    return structuredClone(entry.session)
  }

  /** Waits for a session to end (the CLI uses it). */
  async wait(id: string): Promise<TuneSession> {
    const entry = this.sessions.get(id)
    if (!entry) throw new AppError('TUNER_NOT_FOUND', `No tuning session ${id} in this backend.`)
    await entry.done
    return structuredClone(entry.session)
  }

  /** Cancels every running search, at shutdown. */
  async stop(): Promise<void> {
    for (const entry of this.sessions.values()) entry.controller.abort()
    await Promise.all([...this.sessions.values()].map((entry) => entry.done))
  }
}
