import { randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { AppError, type ModelPatchReport, type ModelReport, type ModelWinners, type ParsedInput } from '../../../agents/contract/index.ts'
import type { RunManager } from '../runs/index.ts'
import type { HostBasics } from '../services.ts'
import type { TaskLibrary } from '../tasks/task-library.ts'
import { harnessEnvironment, sandboxVariables } from '../runner/harness-environment.ts'

/** Capture, profiling and per-region checks of a real model take minutes on a CPU; compiles take more. */
const PROFILE_TIMEOUT_MS = 20 * 60_000
const COMPARE_TIMEOUT_MS = 45 * 60_000

/** `<model>.akg-tasks`, the folder extract writes beside the model. */
export function tasksDirFor(modelPath: string): string {
  const base = resolve(modelPath).replace(/\/+$/, '')
  return `${base.endsWith('.py') ? base.slice(0, -3) : base}.akg-tasks`
}

/** The harness's last stderr line `akg_harness model X: CODE: message` as an AppError. */
export function harnessError(command: string, stderr: string, code: number | null): AppError {
  const lines = stderr
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('USDT:'))
  const start = lines.findIndex((line) => line.startsWith(`akg_harness model ${command}: `))
  if (start >= 0) {
    const text = lines.slice(start).join('\n').slice(`akg_harness model ${command}: `.length)
    const match = /^([A-Z_]+): ([\s\S]*)$/.exec(text)
    if (match) return new AppError(match[1] === 'MODEL_ERROR' ? 'MODEL_ERROR' : `MODEL_${match[1]}`, match[2]!.trim())
    return new AppError('MODEL_FAILED', text.trim())
  }
  return new AppError('MODEL_FAILED', `akg_harness model ${command} exited with ${code}: ${lines.slice(-3).join(' | ') || 'no output'}`)
}

/** What the model service is built from: the harness in the configured Python, and the task library it opens the extracted tasks in. */
export type ModelServiceDependencies = Pick<HostBasics, 'paths' | 'processes' | 'settings' | 'python'> & {
  tasks: Pick<TaskLibrary, 'openFolder'>
  /** The runs made on the extracted tasks, where the winners come from. */
  runs: Pick<RunManager, 'list' | 'get' | 'runFolder'>
}

/** `r01_linear_relu.py` -> `r01`: the region id extract puts first in each task file's name. */
const TASK_FILE = /^(r\d+)_.*\.py$/

/** cpu, cuda or npu: a winner must have been measured on the kind of device the model runs on. */
const deviceKind = (device: string): string => device.split(':')[0]!

/**
 * `akg model` for every front door: runs the harness's model commands, which import the
 * user's model and the winning kernels in the harness's executor process, never here.
 */
export class ModelService {
  constructor(private readonly deps: ModelServiceDependencies) {}

  private async harness<T>(command: string, args: string[], timeoutMs: number): Promise<T> {
    const python = await this.deps.python()
    const scratch = join(this.deps.paths.dataDir, 'model')
    await mkdir(scratch, { recursive: true })
    const out = join(scratch, `${command}-${randomUUID()}.json`)
    // The harness boundary's allow-list and the sandbox settings, never the studio's own environment.
    const env = harnessEnvironment(this.deps.paths.harness, sandboxVariables(await this.deps.settings.read(), this.deps.paths.dataDir))
    const result = await this.deps.processes.run({
      label: `model ${command}`,
      file: python,
      args: ['-m', 'akg_harness', 'model', command, ...args, '--out', out],
      timeoutMs,
      env,
    })
    try {
      if (result.spawnError)
        throw new AppError('PYTHON_UNAVAILABLE', `${python} could not be started (${result.spawnError}); choose a Python with torch in Toolchains.`)
      if (result.timedOut) throw new AppError('MODEL_TIMEOUT', `akg model ${command} did not finish within ${timeoutMs / 60_000} minutes and was stopped.`)
      if (result.code !== 0) throw harnessError(command, result.stderr, result.code)
      return JSON.parse(await readFile(out, 'utf8')) as T
    } finally {
      await rm(out, { force: true })
    }
  }

  profile(input: ParsedInput<'model.profile'>): Promise<ModelReport> {
    return this.harness('profile', [resolve(input.path), '--device', input.device, ...(input.compile ? ['--compile'] : [])], PROFILE_TIMEOUT_MS)
  }

  /** Writes the tasks and opens their folder in Tasks, so they can be edited and run like any task. */
  async extract(input: ParsedInput<'model.extract'>): Promise<ModelReport> {
    const args = [resolve(input.path), '--device', input.device, ...(input.compile ? ['--compile'] : [])]
    if (input.top) args.push('--top', String(input.top))
    if (input.regions?.length) args.push('--regions', input.regions.join(','))
    if (input.atFloor) args.push('--at-floor')
    const report = await this.harness<ModelReport>('extract', args, PROFILE_TIMEOUT_MS)
    if (report.tasks_dir && (report.written?.length ?? 0) > 0) await this.deps.tasks.openFolder(report.tasks_dir)
    return report
  }

  /**
   * For each task file extract wrote, the best passing candidate among the runs made on it on
   * the model's device kind: the lowest median of a trusted timing, a noisy one only when no
   * other exists. A candidate evaluated with tuned parameters is passed over (the patch takes
   * a file, not its parameters), and so is a run's best whose code file is gone. A best slower
   * than eager on its task is left out unless `slower` asks for it.
   */
  async winners(input: ParsedInput<'model.winners'>): Promise<ModelWinners> {
    const tasksDir = resolve(input.tasksDir ?? tasksDirFor(input.path))
    let files: string[]
    try {
      files = (await readdir(tasksDir)).filter((name) => TASK_FILE.test(name)).sort()
    } catch {
      throw new AppError('NOT_FOUND', `No task folder at ${tasksDir}: extract the model's regions first (akg model extract).`)
    }
    const runs = await this.deps.runs.list(10_000)
    const result: ModelWinners = { tasksDir, winners: {}, missing: [] }
    for (const file of files) {
      const id = TASK_FILE.exec(file)![1]!
      const taskPath = join(tasksDir, file)
      const made = runs.filter((run) => resolve(run.taskPath) === taskPath)
      const onDevice = made.filter((run) => deviceKind(run.device) === deviceKind(input.device))
      const ranked = onDevice
        .filter((run) => run.best !== null)
        .sort((a, b) => Number(a.best!.noisy) - Number(b.best!.noisy) || (a.best!.medianMs ?? Infinity) - (b.best!.medianMs ?? Infinity))
      let reason =
        made.length === 0
          ? 'no run was made on this task yet'
          : onDevice.length === 0
            ? `its runs were on ${[...new Set(made.map((run) => run.device))].join(', ')}, not on ${input.device}`
            : 'none of its runs has a correct candidate'
      for (const run of ranked) {
        const detail = await this.deps.runs.get(run.id)
        const candidate = detail.candidates.find((item) => item.id === run.best!.candidateId)
        if (!candidate?.codePath) continue
        if (candidate.params && Object.keys(candidate.params).length > 0) {
          reason = `the best candidate (${run.id} ${candidate.id}) was measured with tuned parameters; save it with them as a file and give it by hand`
          continue
        }
        // The task's eager side is the region's own torch code: a winner slower than it would slow the model.
        const speedup = run.best!.speedupVsEager
        if (!input.slower && speedup !== null && speedup !== undefined && speedup < 1) {
          reason = `the best candidate (${run.id} ${candidate.id}) ran at ${speedup.toFixed(2)}x of eager on this task: patched in, it would slow the model; give its file by hand, or ask for slower winners (--slower, or “also slower than eager” in the Model view), to try it anyway`
          continue
        }
        result.winners[id] = {
          path: join(this.deps.runs.runFolder(run.id), candidate.codePath),
          dsl: candidate.dsl,
          runId: run.id,
          runTitle: run.title,
          candidateId: candidate.id,
          medianMs: run.best!.medianMs,
          speedupVsEager: run.best!.speedupVsEager,
          noisy: run.best!.noisy,
          replay: run.replay,
        }
        break
      }
      if (!result.winners[id]) result.missing.push({ id, taskPath, reason })
    }
    return result
  }

  private patchArgs(input: ParsedInput<'model.apply'>): string[] {
    const entries = Object.entries(input.kernels)
    if (entries.length === 0)
      throw new AppError('MODEL_NO_KERNELS', 'Give at least one winning kernel for a region, as in r01 = the best candidate of its run.')
    return [
      resolve(input.path),
      '--device',
      input.device,
      '--tasks',
      input.tasksDir ?? tasksDirFor(input.path),
      ...entries.flatMap(([task, kernel]) => ['--kernel', `${task}=${resolve(kernel.path)}@${kernel.dsl}`]),
    ]
  }

  apply(input: ParsedInput<'model.apply'>): Promise<ModelPatchReport> {
    return this.harness('apply', this.patchArgs(input), PROFILE_TIMEOUT_MS)
  }

  compare(input: ParsedInput<'model.compare'>): Promise<ModelPatchReport> {
    const args = [...this.patchArgs(input), ...(input.compile ? [] : ['--no-compile'])]
    if (input.timingTrials) args.push('--timing-trials', String(input.timingTrials))
    return this.harness('compare', args, COMPARE_TIMEOUT_MS)
  }
}
