import { AppError } from '../contract/result.ts'
import { resolveRunSpec, runSpecInput, type RunEvent, type RunSpecInput } from '../contract/runs.ts'
import { cpp } from '../dsl/cpp/index.ts'
import type { EvaluateRequest, ModelClient, ModelRequest, Verdict } from '../ports/index.ts'
import type { RunDependencies, TuneHook } from '../run/context.ts'
import { executeRun } from '../run/engine.ts'
import { MemoryRunStore } from './memory-store.ts'
import { FakeRunner, makeVerdict, ManualClock } from './fake-runner.ts'
import { ScriptedModel } from './scripted-model.ts'

export const taskSource = `import torch
import torch.nn as nn

class Model(nn.Module):
    def forward(self, x):
        return torch.relu(x)

def get_inputs():
    return [torch.randn(16, 1024)]

def get_init_inputs():
    return []
`

/** A valid cpp answer carrying the verdict the fake runner should give it, e.g. "passed 0.5", "passed 0.5 noisy" or "compile_error". */
export const kernelAnswer = (verdict: string): string => `Here is the kernel.\n\`\`\`python\n${cpp.skeleton}# fake-verdict: ${verdict}\n\`\`\`\n`

/** The fake harness: reads the marker the answer carried. */
export function judge(request: EvaluateRequest, code: string): Verdict {
  const match = /# fake-verdict: (\w+)(?: ([\d.]+))?( noisy)?/.exec(code)
  if (!match) return makeVerdict('runtime_error', { message: 'no marker' })
  if (match[1] === 'throw') throw new Error('worker crashed')
  if (match[1] === 'lost') throw new AppError('RUNNER_LOST', 'The Ray cluster is gone (the control store did not answer).')
  return makeVerdict(match[1] as Verdict['status'], { medianMs: match[2] ? Number(match[2]) : 1, eagerMs: 1, noisy: Boolean(match[3]) })
}

export interface FixtureOptions {
  spec?: Partial<RunSpecInput>
  /** Coder/Fixer answers in order; designers always get a short plan. */
  code: string[] | ((request: ModelRequest, index: number) => string)
  tune?: TuneHook
  slots?: number
  tokensPerCall?: number
  store?: MemoryRunStore
  priorEvents?: RunEvent[]
  sourceCode?: string
  forkCode?: string
  fork?: boolean
  clock?: ManualClock
  runnerSleepMs?: number
  /** Wraps the scripted model, e.g. to inject provider retries. */
  wrapModel?: (client: ModelClient) => ModelClient
}

/** Runs a whole workflow in memory with a scripted model and the fake runner. */
export async function runFixture(options: FixtureOptions) {
  const store = options.store ?? new MemoryRunStore()
  const clock = options.clock ?? new ManualClock()
  const spec = resolveRunSpec(
    runSpecInput.parse({ taskPath: '/tasks/relu.py', dsl: 'cpp', ...options.spec }),
    options.fork ? { runId: 'r-parent', candidateId: 'c0001' } : null,
  )
  let coderIndex = 0
  const model = new ScriptedModel((request) => {
    if (request.role === 'designer') return 'Plan: one thread per row, vectorise the inner loop.'
    const index = coderIndex++
    if (typeof options.code === 'function') return options.code(request, index)
    const answer = options.code[index]
    if (answer === undefined) throw new Error(`no coder answer scripted for call ${index + 1}`)
    return answer
  }, options.tokensPerCall ?? 100)
  const read = (path: string) => store.artifacts.get(path.replace('/memory/run/', '')) ?? ''
  // The runner's evaluations take runnerSleepMs of simulated time (default 1 ms).
  const runnerClock = { now: () => clock.now(), sleep: (ms: number) => clock.sleep(options.runnerSleepMs ?? ms) }
  const runner = new FakeRunner(judge, read, options.slots ?? 4, runnerClock)
  const live: RunEvent[] = []
  const deps: RunDependencies = {
    model: () => ({ client: options.wrapModel ? options.wrapModel(model) : model, model: 'scripted-1' }),
    runner,
    clock,
    store,
    ...(options.tune ? { tune: options.tune } : {}),
    onEvent: (event) => live.push(event),
  }
  const summary = await executeRun({
    runId: 'r1',
    spec,
    deps,
    taskSource,
    signal: new AbortController().signal,
    priorEvents: options.priorEvents ?? [],
    sourceCode: options.sourceCode ?? null,
    forkCode: options.forkCode ?? null,
  })
  const of = <T extends RunEvent['type']>(type: T) => store.events.filter((event): event is Extract<RunEvent, { type: T }> => event.type === type)
  return { summary, store, model, runner, live, of, clock }
}
