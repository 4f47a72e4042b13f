import { AppError, type RunSpec } from '../../../agents/contract/index.ts'
import type { ProviderService } from '../providers/provider-service.ts'
import type { HostBasics } from '../services.ts'
import { cassettePrefix } from './run-models.ts'
import { writerRoles } from '../../../agents/contract/registry.ts'

/** One reason a run cannot start, with what to do about it. */
export interface PreflightProblem {
  kind: 'task' | 'environment' | 'device' | 'provider'
  code: string
  message: string
  fix: string
}

/** Checks a run's setup before its first model call; resolves with the problems found (none: go). */
export type Preflight = (spec: RunSpec) => Promise<PreflightProblem[]>

/** What the preflight uses: the harness in the configured Python, and the providers it asks. */
export type PreflightDependencies = Pick<HostBasics, 'paths' | 'processes' | 'python'> & {
  providers: Pick<ProviderService, 'configs' | 'modelFor' | 'test'>
}

/** Importing torch twice and one forward pass, on a loaded machine; past this the harness itself is stuck. */
const HARNESS_PREFLIGHT_TIMEOUT_MS = 420_000

/** A device of this machine, with or without the `local:` a pinned run carries when other hosts have the same kind. */
const LOCAL_DEVICE = /^(?:local:)?(cpu|cuda|npu)(:\d+)?$/

/**
 * The harness's `preflight` in the selected environment (task parses, imports and runs its
 * reference once; torch and the DSL's package import; the device exists), then each provider the
 * run will call answers and serves the model asked for. Remote devices are checked by their host's
 * workers when they connect.
 */
export function hostPreflight(host: PreflightDependencies): Preflight {
  return async (spec) => [...(await harnessProblems(host, spec)), ...(await providerProblems(host, spec))]
}

async function harnessProblems(host: PreflightDependencies, spec: RunSpec): Promise<PreflightProblem[]> {
  if (!LOCAL_DEVICE.test(spec.device)) return []
  const python = await host.python()
  const result = await host.processes.run({
    label: `preflight ${spec.taskPath}`,
    file: python,
    args: ['-m', 'akg_harness', 'preflight', '--task', spec.taskPath, '--dsl', spec.dsl, '--device', spec.device.replace(/^local:/, '')],
    env: { ...process.env, PYTHONPATH: [host.paths.harness, process.env.PYTHONPATH].filter(Boolean).join(':') },
    cwd: host.paths.appRoot,
    timeoutMs: HARNESS_PREFLIGHT_TIMEOUT_MS,
  })
  const fix = 'choose a working Python environment in Toolchains (or `akg toolchains`)'
  if (result.spawnError) return [{ kind: 'environment', code: 'ENV_NO_PYTHON', message: `Python ${python} could not be started (${result.spawnError})`, fix }]
  if (result.timedOut)
    return [
      {
        kind: 'environment',
        code: 'PREFLIGHT_TIMEOUT',
        message: `the harness preflight in ${python} did not answer within ${HARNESS_PREFLIGHT_TIMEOUT_MS / 1000} s`,
        fix,
      },
    ]
  try {
    const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as { problems: PreflightProblem[] }
    return report.problems
  } catch {
    const tail = result.stderr.trim().split('\n').pop() ?? `exit code ${result.code}`
    return [{ kind: 'environment', code: 'ENV_NO_HARNESS', message: `the harness could not run in ${python}: ${tail}`, fix }]
  }
}

async function providerProblems(host: PreflightDependencies, spec: RunSpec): Promise<PreflightProblem[]> {
  const overrides = Object.fromEntries(Object.entries(spec.models).filter(([, value]) => !value.startsWith(cassettePrefix)))
  const fallback = spec.models.coder ?? Object.values(spec.models)[0]
  const wanted = new Map<string, Set<string>>()
  const configs = await host.providers.configs()
  for (const role of writerRoles) {
    const value = spec.models[role] ?? (fallback?.startsWith(cassettePrefix) ? fallback : undefined)
    if (value?.startsWith(cassettePrefix)) continue
    // A replay or manual provider named for the role: no server to ask (a replay folder picks
    // its cassette only once the run knows its task).
    const named = value ? configs.find((candidate) => candidate.name === value.split(':')[0]) : undefined
    if (named && (named.kind === 'replay' || named.kind === 'manual')) continue
    let routed: { provider: string; model: string }
    try {
      routed = await host.providers.modelFor(role, overrides)
    } catch (error) {
      return [
        {
          kind: 'provider',
          code: 'PROVIDER_CONFIG',
          message: error instanceof Error ? error.message : String(error),
          fix: 'add a provider in Settings, or give --model role=provider:model',
        },
      ]
    }
    wanted.set(routed.provider, (wanted.get(routed.provider) ?? new Set()).add(routed.model))
  }
  const problems: PreflightProblem[] = []
  for (const [provider, models] of wanted) {
    const config = configs.find((candidate) => candidate.name === provider)
    // Manual and replay providers have no server to ask.
    if (!config || config.kind === 'manual' || config.kind === 'replay') continue
    try {
      const served = (await host.providers.test(provider)).models.map((model) => model.name)
      for (const model of models) {
        if (served.length > 0 && !served.some((name) => name === model || name === `${model}:latest`)) {
          problems.push({
            kind: 'provider',
            code: 'PROVIDER_NO_MODEL',
            message: `${provider} does not serve the model ${model} (it serves ${served.slice(0, 8).join(', ')}${served.length > 8 ? ', …' : ''})`,
            fix:
              config.kind === 'ollama'
                ? `download it (ollama pull ${model}, or Settings → Pull) or choose a served model`
                : 'choose a model the provider serves',
          })
        }
      }
    } catch (error) {
      problems.push({
        kind: 'provider',
        code: (error as AppError).code ?? 'PROVIDER_UNREACHABLE',
        message: error instanceof Error ? error.message : String(error),
        fix: 'start the provider or correct its address and key in Settings',
      })
    }
  }
  return problems
}

/** The error a failed preflight raises: every problem with its fix, and the promise that no model was called. */
export function preflightError(spec: RunSpec, problems: PreflightProblem[]): AppError {
  const lines = problems.map((item) => `- ${item.kind}: ${item.message.replace(/\.$/, '')}. Fix: ${item.fix.replace(/\.$/, '')}.`)
  return new AppError('PREFLIGHT_FAILED', `The run on ${spec.taskPath} was not started (no model was called):\n${lines.join('\n')}`, { problems })
}
