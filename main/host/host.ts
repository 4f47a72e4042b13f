import type { RoleModels, ToolchainReport } from '../../agents/contract/index.ts'
import type { AgentRole } from '../../agents/ports/model.ts'
import type { RoleModel } from '../../agents/providers/index.ts'
import { basename, delimiter } from 'node:path'
import { AppError } from '../../agents/contract/result.ts'
import { EventBus } from './event-bus.ts'
import type { CommandRunner } from './exec.ts'
import { createHostKnowledge, type KnowledgeService } from './knowledge/index.ts'
import { resolvePaths, type StudioPaths } from './paths.ts'
import { ProcessManager } from './process/process-manager.ts'
import { createSessionManager, type SessionManager } from './pty/index.ts'
import { createHostRunner, type HarnessRunner } from './runner/index.ts'
import { ProviderService } from './providers/provider-service.ts'
import { fileSecretStore, type SecretStoreFactory } from './providers/secret-store.ts'
import { createSettingsFile, type SettingsFile } from './settings.ts'
import { ServiceList, type HostBasics } from './services.ts'
import { TaskLibrary } from './tasks/task-library.ts'
import { createHostTuner, type TunerService } from './tuner/index.ts'
import { createRunManager, type RunManager } from './runs/index.ts'
import { BenchManager } from './bench/bench-manager.ts'
import { ModelService } from './model/model-service.ts'
import { ProjectVenv } from './toolchain/project-venv.ts'
import { ToolchainManager } from './toolchain/toolchain-manager.ts'
import { defaultPython, detectToolchain } from './toolchain/detect.ts'

export interface HostOptions {
  appRoot: string
  dataDir?: string
  /** Electron's version when the host runs inside Electron. */
  electronVersion?: string | null
  /** Where API keys are kept; Electron passes the OS keychain (safeStorage), others get a 0600 file. */
  secretStore?: SecretStoreFactory
  /** Opens a file in the desktop's default application (Electron's shell.openPath); absent elsewhere. */
  openPath?: (path: string) => Promise<boolean>
  /** Which front door this process is (`studio`, `browser`, `cli`); run locks name it. */
  program?: string
}

/**
 * The machine-facing services every front door shares. Created once per process, each from
 * the few things it uses (main/host/services.ts), in one list; handlers are built from it, and
 * shutdown() stops the services in reverse creation order.
 */
export class Host {
  readonly paths: StudioPaths
  readonly events = new EventBus()
  readonly electronVersion: string | null
  readonly openPath: ((path: string) => Promise<boolean>) | null
  /** Which front door this process is; a run's lock names it so others can say who runs it. */
  readonly program: string
  /**
   * The services in creation order. A service is created after those it uses, so stopping in
   * reverse releases users first: bench, then runs (resumable from their logs), then the tuner's
   * searches, then the runner's workers, and the process sweep last so no orphan survives.
   */
  readonly services = new ServiceList()
  /** Owns every child process and pty; created first, so its sweep is the last stop. */
  readonly processes: ProcessManager
  readonly settings: SettingsFile
  readonly tasks: TaskLibrary
  /** Skill documents for prompts: resources/knowledge plus the user's <data dir>/knowledge. */
  readonly knowledge: KnowledgeService
  /** The Runner port for the agent core: warm harness workers, one per device. */
  readonly runner: HarnessRunner
  /** Terminals the user opens in the Toolchains view. */
  readonly sessions: SessionManager
  /** LLM providers, their keys and the model per role; see main/host/providers/provider-service.ts. */
  readonly providers: ProviderService
  /** Tuning sessions over the runner (akg tune, the Tune view, the optimize workflow's hook). */
  readonly tuner: TunerService
  /** Agent runs on disk under <data>/runs: start, replay, cancel, resume, fork (main/host/runs). */
  readonly runs: RunManager
  /** Batches of runs over task lists with fast_p reports (main/host/bench). */
  readonly bench: BenchManager
  /** A user's model: profile, extract tasks, patch the winners back, A/B (main/host/model). */
  readonly model: ModelService
  /** The Python environments of this machine and the selected one (main/host/toolchain). */
  readonly toolchain: ToolchainManager
  /** The project's own environment (.venv), made on the first-run screen. */
  readonly venv: ProjectVenv
  private toolchainReport: Promise<ToolchainReport> | null = null

  constructor(options: HostOptions) {
    const paths = (this.paths = resolvePaths(options.appRoot, options.dataDir))
    this.electronVersion = options.electronVersion ?? null
    this.openPath = options.openPath ?? null
    this.program = options.program ?? 'studio'
    const events = this.events
    const python = () => this.python()
    const detect = (detectOptions?: { refresh?: boolean }) => this.detectToolchain(detectOptions)
    const add = this.services.add.bind(this.services)

    const processes = (this.processes = add(
      'processes',
      () => new ProcessManager(),
      (service) => service.shutdown(),
    ))
    const settings = (this.settings = add('settings', () => createSettingsFile(paths.dataDir)))
    const basics: HostBasics = { paths, events, processes, settings, python }
    const tasks = (this.tasks = add('tasks', () => new TaskLibrary(paths.sampleTasks, settings)))
    const knowledge = (this.knowledge = add('knowledge', () => createHostKnowledge(paths)))
    const runner = (this.runner = add(
      'runner',
      () => createHostRunner(basics),
      (service) => service.stop(),
    ))
    // Terminals close before the runner and the process sweep: each pty's shell ends on its own.
    this.sessions = add(
      'sessions',
      () => createSessionManager({ paths, processes, events }),
      (service) => service.shutdown(),
    )
    const providers = (this.providers = add(
      'providers',
      () => new ProviderService(paths.dataDir, (options.secretStore ?? fileSecretStore)(paths.dataDir), events),
    ))
    const tuner = (this.tuner = add(
      'tuner',
      () => createHostTuner({ paths, events, runner, tasks }),
      (service) => service.stop(),
    ))
    const runs = (this.runs = add(
      'runs',
      () => createRunManager({ paths, events, processes, python, program: this.program, runner, providers, knowledge, tuner, detectToolchain: detect }),
      (service) => service.stop(),
    ))
    this.bench = add(
      'bench',
      () => new BenchManager({ paths, events, runs }),
      (service) => service.stop(),
    )
    this.model = add('model', () => new ModelService({ paths, processes, settings, python, tasks, runs }))
    this.toolchain = add('toolchain', () => new ToolchainManager({ paths, processes, settings, python, runner, detectToolchain: detect }))
    this.venv = add('venv', () => new ProjectVenv({ paths, processes, events }))
  }

  /** The ModelClient and model for an agent role; `overrides` are a RunSpec's `provider:model` per role. */
  modelFor(role: AgentRole, overrides?: RoleModels): Promise<RoleModel> {
    return this.providers.modelFor(role, overrides)
  }

  async python(): Promise<string> {
    return defaultPython(this.paths.appRoot, (await this.settings.read()).python)
  }

  /** Detection imports torch and runs several tools; share one run between concurrent callers. */
  detectToolchain(options: { python?: string; refresh?: boolean } = {}): Promise<ToolchainReport> {
    if (options.python) return detectToolchain(options.python, this.paths.harness, this.runShort)
    if (!this.toolchainReport || options.refresh) {
      const pending = this.python().then((python) => detectToolchain(python, this.paths.harness, this.runShort))
      this.toolchainReport = pending
      pending.then(
        (report) => this.events.emit('toolchain-detect-end', report),
        () => {
          if (this.toolchainReport === pending) this.toolchainReport = null
        },
      )
    }
    return this.toolchainReport
  }

  /** A short harness command (`cache list`, ...) with the configured Python; its JSON output. */
  async harnessJson(args: string[]): Promise<unknown> {
    const env = { ...process.env, PYTHONPATH: [this.paths.harness, process.env.PYTHONPATH].filter(Boolean).join(delimiter) }
    const result = await this.runShort(await this.python(), ['-m', 'akg_harness', ...args], { timeoutMs: 60_000, env })
    try {
      return JSON.parse(result.stdout)
    } catch {
      const why = result.spawnError ?? (result.timedOut ? 'timed out after 60 s' : result.stderr.trim().split('\n').pop() || `exit code ${result.code}`)
      throw new AppError('HARNESS_FAILED', `The harness could not run \`${args.join(' ')}\`: ${why}. Check the Python environment in Toolchains.`)
    }
  }

  /** Short commands (detection probes) run under the process manager, so shutdown ends them too. */
  private readonly runShort: CommandRunner = (file, args, options) =>
    this.processes.run({ label: `probe ${basename(file)}`, file, args, timeoutMs: options.timeoutMs, env: options.env, cwd: options.cwd, input: options.input })

  /** Stops every service, last created first (see `services`); a failing stop does not keep the others from running. */
  shutdown(): Promise<void> {
    return this.services.stop()
  }
}
