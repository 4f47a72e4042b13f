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
import { createSettingsFile } from './settings.ts'
import { TaskLibrary } from './tasks/task-library.ts'
import { createHostTuner, type TunerService } from './tuner/index.ts'
import { createRunManager, type RunManager } from './runs/index.ts'
import { BenchManager } from './bench/bench-manager.ts'
import { ModelService } from './model/model-service.ts'
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
 * The machine-facing services every front door shares. Created once per process;
 * handlers are built from it, and shutdown() releases what it holds.
 */
export class Host {
  readonly paths: StudioPaths
  readonly events = new EventBus()
  readonly settings
  readonly tasks: TaskLibrary
  readonly electronVersion: string | null
  readonly openPath: ((path: string) => Promise<boolean>) | null
  /** Which front door this process is; a run's lock names it so others can say who runs it. */
  readonly program: string
  /** Owns every child process and pty; its sweep runs last at shutdown so no orphan survives. */
  readonly processes = new ProcessManager()
  /** The Runner port for the agent core: warm harness workers, one per device. */
  readonly runner: HarnessRunner
  /** Tuning sessions over the runner (akg tune, the Tune view, the optimize workflow's hook). */
  readonly tuner: TunerService
  /** Agent runs on disk under <data>/runs: start, replay, cancel, resume, fork (main/host/runs). */
  readonly runs: RunManager
  /** Batches of runs over task lists with fast_p reports (main/host/bench). */
  readonly bench: BenchManager
  /** A user's model: profile, extract tasks, patch the winners back, A/B (main/host/model). */
  readonly model: ModelService
  /** Terminals the user opens in the Toolchains view. */
  readonly sessions: SessionManager
  /** LLM providers, their keys and the model per role; see main/host/providers/provider-service.ts. */
  readonly providers: ProviderService
  /** Skill documents for prompts: resources/knowledge plus the user's <data dir>/knowledge. */
  readonly knowledge: KnowledgeService
  private toolchainReport: Promise<ToolchainReport> | null = null
  private readonly shutdownHooks: Array<() => Promise<void> | void> = []

  constructor(options: HostOptions) {
    this.paths = resolvePaths(options.appRoot, options.dataDir)
    this.settings = createSettingsFile(this.paths.dataDir)
    this.tasks = new TaskLibrary(this.paths.sampleTasks, this.settings)
    this.knowledge = createHostKnowledge(this.paths)
    this.electronVersion = options.electronVersion ?? null
    this.openPath = options.openPath ?? null
    this.program = options.program ?? 'studio'
    this.runner = createHostRunner(this)
    this.sessions = createSessionManager(this)
    this.providers = new ProviderService(this.paths.dataDir, (options.secretStore ?? fileSecretStore)(this.paths.dataDir), this.events)
    // Hooks run in reverse: the runner stops its workers first, then the sweep kills whatever is left.
    this.onShutdown(() => this.processes.shutdown())
    this.onShutdown(() => this.runner.stop())
    this.tuner = createHostTuner(this)
    // Registered after the runner's hook, so it runs before it: searches stop before their workers do.
    this.onShutdown(() => this.tuner.stop())
    this.runs = createRunManager(this)
    // Registered last so it runs first: runs stop (resumable from their logs) before the tuner and workers go.
    this.onShutdown(() => this.runs.stop())
    this.bench = new BenchManager(this)
    this.model = new ModelService(this)
    this.onShutdown(() => this.bench.stop())
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

  onShutdown(hook: () => Promise<void> | void): void {
    this.shutdownHooks.push(hook)
  }

  async shutdown(): Promise<void> {
    const hooks = this.shutdownHooks.splice(0).reverse()
    for (const hook of hooks) await Promise.resolve(hook()).catch(() => undefined)
  }
}
