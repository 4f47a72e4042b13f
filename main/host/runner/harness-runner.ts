import type { RunnerHostStatus, RunnerStatus, RunnerWorkerStatus } from '../../../agents/contract/runner.ts'
import { dslRegistry } from '../../../agents/contract/registry.ts'
import { AppError } from '../../../agents/contract/result.ts'
import type { EvaluateRequest, Runner, Verdict } from '../../../agents/ports/index.ts'
import { parseDevice, slotServes, workerDevice, type DeviceTarget, type SlotSpec } from './devices.ts'
import { HarnessWorker, WorkerFailure } from './harness-worker.ts'
import { JobQueue } from './job-queue.ts'
import { checkRequest, isDeviceFault, parseVerdict, runnerVerdict } from './verdicts.ts'
import type { WorkerHost } from './worker-host.ts'

/** A host that is gone for good (RUNNER_LOST): runs stop interrupted, to be resumed elsewhere. */
const runnerLost = (host: string, reason: string): AppError =>
  new AppError(
    'RUNNER_LOST',
    `The ${host === 'ray' ? 'Ray cluster' : `host ${host}`} is gone (${reason}); the run stops here and can be resumed, on this machine or once the cluster is back.`,
  )

/** The harness's own defaults (options.py): the run, and the build (a cold nvcc build of a big kernel). */
export const DEFAULT_TIMEOUT_SECONDS = 600
export const DEFAULT_BUILD_TIMEOUT_SECONDS = 600
/**
 * Added to the request's timeout for the outer guard: the harness enforces the timeout itself and
 * needs time to build, check and answer; the outer guard catches a worker that no longer answers.
 */
export const DEFAULT_OUTER_MARGIN_MS = 30_000

interface Job {
  /** Resolves when an ahead-of-time build of this candidate has finished (or was not needed). */
  built: Promise<void>
  request: EvaluateRequest
  target: DeviceTarget
  signal?: AbortSignal
  queuedAt: string
  resolve: (verdict: Verdict) => void
  reject: (error: unknown) => void
}

/** A slot takes a job when it serves the device, and its host offers it for requests with no index. */
const takes = (slot: Slot, target: DeviceTarget): boolean =>
  slotServes(slot.spec, target) && (target.index !== null || (slot.host.servesUnpinned?.(slot.spec) ?? true))

interface Slot {
  spec: SlotSpec
  host: WorkerHost
  worker: HarnessWorker
  job: Job | null
  evaluations: number
}

export interface HarnessRunnerOptions {
  hosts: WorkerHost[]
  outerMarginMs?: number
  onStatus?: (status: RunnerStatus) => void
}

/**
 * The Runner port backed by warm `akg_harness serve` workers, one per device of every host.
 * Evaluations wait in a priority queue; each free worker takes the best job it can serve.
 */
export class HarnessRunner implements Runner {
  private readonly hosts = new Map<string, { host: WorkerHost; status: RunnerHostStatus; discovery: Promise<void> | null }>()
  private slots: Slot[] = []
  private readonly queue = new JobQueue<Job>()
  private readonly outerMarginMs: number
  private readonly counts = { passed: 0, failed: 0, timedOut: 0, crashed: 0 }
  private statusTimer: NodeJS.Timeout | null = null
  private stopped = false

  /** How many runs each device was pinned to (pinDevice), so runs started together spread out. */
  private readonly pins = new Map<string, number>()
  constructor(private readonly options: HarnessRunnerOptions) {
    this.outerMarginMs = options.outerMarginMs ?? DEFAULT_OUTER_MARGIN_MS
    for (const host of options.hosts) this.addHost(host)
  }

  addHost(host: WorkerHost): void {
    this.hosts.set(host.name, { host, status: { name: host.name, kind: host.kind, state: 'unknown', error: null }, discovery: null })
    this.publish()
  }

  /** The host registered under a name (`local`, an SSH host's name, `ray`). */
  host(name: string): WorkerHost | undefined {
    return this.hosts.get(name)?.host
  }

  async removeHost(name: string): Promise<void> {
    const entry = this.hosts.get(name)
    const leaving = this.slots.filter((slot) => slot.spec.host === name)
    this.slots = this.slots.filter((slot) => slot.spec.host !== name)
    this.hosts.delete(name)
    await Promise.all(leaving.map((slot) => slot.worker.stop()))
    await (entry?.host as { stop?: () => Promise<void> } | undefined)?.stop?.()
    this.publish()
  }

  /**
   * Forgets a host's workers (its environment changed): idle ones stop now, busy ones finish their
   * candidate first; the next evaluation discovers the host again with the new settings.
   */
  async resetHost(name: string): Promise<void> {
    const entry = this.hosts.get(name)
    if (!entry) return
    const leaving = this.slots.filter((slot) => slot.spec.host === name)
    this.slots = this.slots.filter((slot) => slot.spec.host !== name)
    entry.status = { ...entry.status, state: 'unknown', error: null }
    this.publish()
    await Promise.all(
      leaving.map(async (slot) => {
        while (slot.job) await new Promise((resolve) => setTimeout(resolve, 200))
        await slot.worker.stop()
      }),
    )
  }

  /**
   * Starts a host's workers now (after discovering it), so a new environment shows its workers
   * running with their pids at once instead of at the next evaluation.
   */
  async warm(name: string): Promise<void> {
    if (this.stopped) return
    await this.discover({ retryFailed: true, only: name })
    // Shutdown may have begun while the host was being discovered: start nothing then.
    if (this.stopped) return
    await Promise.all(this.slots.filter((slot) => slot.spec.host === name && !slot.job).map((slot) => slot.worker.start().catch(() => undefined)))
    this.publish()
  }

  /**
   * Finds every host's devices once (shared by concurrent callers). A host that failed is tried
   * again only when asked (retryFailed), so an unreachable server does not delay every evaluation.
   */
  async discover(options: { retryFailed?: boolean; only?: string } = { retryFailed: true }): Promise<void> {
    await Promise.all(
      [...this.hosts.values()].map((entry) => {
        if (options.only !== undefined && entry.host.name !== options.only) return undefined
        if (entry.status.state === 'ready') return undefined
        if (entry.status.state === 'error' && !options.retryFailed && !entry.discovery) return undefined
        entry.discovery ??= this.discoverHost(entry).finally(() => (entry.discovery = null))
        return entry.discovery
      }),
    )
  }

  private async discoverHost(entry: { host: WorkerHost; status: RunnerHostStatus }): Promise<void> {
    entry.status = { ...entry.status, state: 'discovering', error: null }
    this.publish()
    try {
      const specs = await entry.host.discover()
      if (!this.hosts.has(entry.host.name) || this.stopped) return
      this.slots = this.slots.filter((slot) => slot.spec.host !== entry.host.name)
      for (const spec of specs) {
        const worker = new HarnessWorker(
          spec.key,
          () => entry.host.connect(spec),
          () => this.publish(),
        )
        this.slots.push({ spec, host: entry.host, worker, job: null, evaluations: 0 })
      }
      entry.status = { ...entry.status, state: 'ready', error: null }
    } catch (error) {
      entry.status = { ...entry.status, state: 'error', error: error instanceof Error ? error.message : String(error) }
    }
    this.publish()
  }

  /**
   * A bare `cuda` or `npu` becomes one device that can serve it: the one the fewest runs were
   * pinned to, then a free one, this machine's before a remote host's, then the lowest index. Written as `cuda:N` when no other host has that
   * kind, else with its host (`local:cuda:N`, `box:cuda:N`) so no other host's device N serves it.
   */
  async pinDevice(device: string): Promise<string> {
    const target = parseDevice(device)
    if (!target || target.kind === 'cpu' || target.index !== null) return device
    await this.discover({ retryFailed: false })
    const serving = this.slots.filter((slot) => takes(slot, target))
    // Runs started together (a batch) spread over the devices: the fewest runs pinned here first.
    const rank = (slot: Slot) => [this.pins.get(slot.spec.key) ?? 0, slot.job ? 1 : 0, slot.spec.host === 'local' ? 0 : 1, slot.spec.index ?? 0] as const
    const chosen = serving.sort((a, b) => {
      const [x, y] = [rank(a), rank(b)]
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || a.spec.host.localeCompare(b.spec.host) || x[3] - y[3]
    })[0]
    if (!chosen || chosen.spec.index === null || chosen.spec.index === undefined) return device // evaluate says why nothing serves it
    this.pins.set(chosen.spec.key, (this.pins.get(chosen.spec.key) ?? 0) + 1)
    const hosts = new Set(this.slots.filter((slot) => slot.spec.kind === target.kind).map((slot) => slot.spec.host))
    const concrete = `${target.kind}:${chosen.spec.index}`
    return chosen.spec.host === 'local' && hosts.size === 1 ? concrete : `${chosen.spec.host}:${concrete}`
  }

  async evaluate(request: EvaluateRequest, signal?: AbortSignal): Promise<Verdict> {
    if (this.stopped) throw new AppError('RUNNER_STOPPED', 'The runner is shutting down.')
    const target = parseDevice(request.device)
    if (!target) throw new AppError('RUNNER_BAD_DEVICE', `"${request.device}" is not a device: use cpu, cuda, cuda:N, npu:N, or host:cuda:N for an SSH host.`)
    await this.discover({ retryFailed: false })
    const lost = target.host !== null ? this.hosts.get(target.host)?.host.lostReason : null
    if (lost) throw runnerLost(target.host as string, lost)
    if (!this.slots.some((slot) => takes(slot, target))) {
      const have = this.slots.map((slot) => slot.spec.key).join(', ') || 'none'
      const hostErrors = [...this.hosts.values()].filter((entry) => entry.status.error).map((entry) => `${entry.host.name}: ${entry.status.error}`)
      throw new AppError(
        'RUNNER_NO_DEVICE',
        `No worker can serve ${request.device}. Devices available: ${have}.${hostErrors.length ? ` ${hostErrors.join(' ')}` : ''}`,
      )
    }
    if (signal?.aborted) throw new AppError('CANCELLED', 'The evaluation was cancelled before it started.')
    return new Promise<Verdict>((resolve, reject) => {
      const job: Job = { built: Promise.resolve(), request, target, signal, queuedAt: new Date().toISOString(), resolve, reject }
      // No free worker can take it: build it now on the CPU while the devices work on others.
      const free = this.slots.some((slot) => !slot.job && takes(slot, target))
      const builder = this.builderFor(target)
      if (!free && builder?.precompile && dslRegistry[request.dsl].precompiled)
        job.built = builder.precompile(request.candidatePath, request.dsl, request.params)
      this.queue.push(job, request.priority ?? 0)
      signal?.addEventListener(
        'abort',
        () => {
          if (this.queue.remove(job)) {
            reject(new AppError('CANCELLED', 'The evaluation was cancelled while it waited for a worker.'))
            this.publish()
          }
        },
        { once: true },
      )
      this.pump()
    })
  }

  /** The host whose build cache the job's worker will read: only this machine builds ahead for now. */
  private builderFor(target: DeviceTarget): WorkerHost | undefined {
    if (target.host !== null && target.host !== 'local') return undefined
    return this.hosts.get('local')?.host
  }

  /** Slots that can run at once for a device kind; without one, the accelerators if any, else the CPU slots. */
  capacity(device?: string): number {
    const target = device ? parseDevice(device) : null
    if (target) return this.slots.filter((slot) => takes(slot, target)).length
    const accelerators = this.slots.filter((slot) => slot.spec.kind !== 'cpu').length
    return accelerators > 0 ? accelerators : Math.max(1, this.slots.length)
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job || this.stopped) continue
      const job = this.queue.take((candidate) => takes(slot, candidate.target))
      if (!job) continue
      slot.job = job
      void this.runJob(slot, job).finally(() => {
        slot.job = null
        this.pump()
      })
    }
    this.publish()
  }

  private async runJob(slot: Slot, job: Job): Promise<void> {
    const { request } = job
    const timeoutSeconds = request.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS
    const buildTimeoutSeconds = request.buildTimeoutSeconds ?? DEFAULT_BUILD_TIMEOUT_SECONDS
    try {
      await slot.worker.start()
      await job.built
      const [task, candidate] = await slot.host.stageFiles(slot.worker, [request.taskPath, request.candidatePath])
      const args = checkRequest({
        task,
        candidate,
        dsl: request.dsl,
        device: workerDevice(slot.spec),
        timeout: timeoutSeconds,
        build_timeout: buildTimeoutSeconds,
        protocol: request.protocol,
        seed: request.seed,
        correctness_trials: request.correctnessTrials,
        timing_trials: request.timingTrials,
        baselines: request.baselines,
        profile: request.profile,
        ncu: request.ncu,
        params: request.params,
        // CPU workers split the cores; torch's default would have each of them take all.
        threads: slot.spec.kind === 'cpu' && slot.spec.env.OMP_NUM_THREADS ? Number(slot.spec.env.OMP_NUM_THREADS) : undefined,
      })
      const answer = await slot.worker.request('evaluate', args, {
        timeoutMs: (timeoutSeconds + buildTimeoutSeconds) * 1000 + this.outerMarginMs,
        signal: job.signal,
      })
      const result = parseVerdict(answer, slot.spec.key)
      slot.evaluations += 1
      this.count(result)
      if (isDeviceFault(result)) this.replaceWorker(slot)
      job.resolve(result)
    } catch (error) {
      this.settleFailure(slot, job, error)
    }
  }

  private settleFailure(slot: Slot, job: Job, error: unknown): void {
    if (!(error instanceof WorkerFailure)) return job.reject(error)
    if (this.stopped) return job.reject(new AppError('RUNNER_STOPPED', 'The runner stopped while this evaluation ran; it has no verdict.'))
    // A cluster that went away is not the candidate's fault: the run stops, interrupted and resumable.
    if (slot.host.lostReason) return job.reject(runnerLost(slot.spec.host, slot.host.lostReason))
    const candidate = job.request.candidatePath
    switch (error.kind) {
      case 'timeout': {
        this.counts.timedOut += 1
        this.replaceWorker(slot)
        return job.resolve(
          runnerVerdict('timeout', `${candidate} did not finish on ${slot.spec.key}: ${error.message} The worker was killed and restarted.`, 'timeout'),
        )
      }
      case 'crashed': {
        this.counts.crashed += 1
        this.replaceWorker(slot)
        return job.resolve(runnerVerdict('runtime_error', `${candidate} took down its worker. ${error.message}`, 'worker'))
      }
      case 'cancelled':
        this.replaceWorker(slot)
        return job.reject(new AppError('CANCELLED', 'The evaluation was cancelled; its worker was stopped.'))
      case 'start':
        return job.reject(new AppError('RUNNER_WORKER_START', error.message, error.detail))
      case 'harness':
        return job.reject(new AppError('HARNESS_ERROR', `The harness refused the request: ${error.message}`, error.detail))
    }
  }

  /** Kills a worker whose state is suspect and starts a fresh one so the next candidate finds it warm. */
  private replaceWorker(slot: Slot): void {
    void slot.worker
      .kill()
      .then(() => (this.stopped ? undefined : slot.worker.start()))
      .catch(() => undefined)
  }

  private count(verdict: Verdict): void {
    if (verdict.status === 'passed') this.counts.passed += 1
    else if (verdict.status === 'timeout') this.counts.timedOut += 1
    else this.counts.failed += 1
  }

  status(): RunnerStatus {
    const workers: RunnerWorkerStatus[] = this.slots.map((slot) => ({
      key: slot.spec.key,
      host: slot.spec.host,
      device: slot.spec.index === null ? slot.spec.kind : `${slot.spec.kind}:${slot.spec.index}`,
      state: slot.worker.state,
      stage: slot.worker.stage,
      pid: slot.worker.pid,
      restarts: slot.worker.restarts,
      evaluations: slot.evaluations,
      candidate: slot.job?.request.candidatePath ?? null,
      lastError: slot.worker.lastError,
    }))
    return {
      hosts: [...this.hosts.values()].map((entry) => entry.status),
      workers,
      queue: this.queue
        .values()
        .map((job) => ({ candidate: job.request.candidatePath, device: job.request.device, priority: job.request.priority ?? 0, queuedAt: job.queuedAt })),
      capacity: this.capacity(),
      evaluations: { ...this.counts },
    }
  }

  /** Status changes come in bursts (stages, queue moves); one event per 100 ms is plenty for a view. */
  private publish(): void {
    if (!this.options.onStatus || this.statusTimer) return
    this.statusTimer = setTimeout(() => {
      this.statusTimer = null
      this.options.onStatus?.(this.status())
    }, 100)
  }

  /** Stops every worker and fails what is still queued. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.statusTimer) clearTimeout(this.statusTimer)
    this.statusTimer = null
    for (const job of this.queue.values()) {
      this.queue.remove(job)
      job.reject(new AppError('RUNNER_STOPPED', 'The runner stopped before this evaluation started.'))
    }
    await Promise.all(this.slots.map((slot) => slot.worker.stop()))
    await Promise.all([...this.hosts.values()].map((entry) => (entry.host as { stop?: () => Promise<void> }).stop?.()))
  }
}
