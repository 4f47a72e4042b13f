import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FakeRunner } from '../../../agents/testing/fake-runner.ts'
import { judge, kernelAnswer } from '../../../agents/testing/run-fixture.ts'
import { ScriptedModel } from '../../../agents/testing/scripted-model.ts'
import { closedPortUrl } from '../../../test/helpers/llm-servers/index.ts'
import { temporaryHost } from '../../../test/helpers/temp-host.ts'
import { RunManager } from './run-manager.ts'
import { hostPreflight } from './run-preflight.ts'

const relu = readFileSync(join(import.meta.dirname, '..', '..', '..', 'resources', 'tasks', 'level1', '19_ReLU.py'), 'utf8')
// The scripted model stands in for the model; naming a cassette keeps the provider check (of the host's default Ollama) out of the harness cases.
const standIn = { coder: `cassette:${join(import.meta.dirname, '..', '..', '..', 'resources', 'cassettes', '19_ReLU.cpp.json')}` }
let cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const dispose of cleanup) await dispose()
  cleanup = []
})

/** A host with the real preflight in front of a model that counts its calls. */
function setup() {
  const context = temporaryHost()
  cleanup.push(context.dispose)
  const model = new ScriptedModel((request) => (request.role === 'designer' ? 'Plan.' : kernelAnswer('passed')))
  const runner = new FakeRunner(judge, (path) => readFileSync(path, 'utf8'), 1)
  const manager = new RunManager(context.host, {
    dependencies: async () => ({ model: () => ({ client: model, model: 'scripted' }), runner }),
    preflight: hostPreflight(context.host),
  })
  const task = (name: string, source: string) => {
    const path = join(context.dataDir, name)
    writeFileSync(path, source)
    return path
  }
  const noRunFolders = () => !existsSync(join(context.dataDir, 'runs')) || readdirSync(join(context.dataDir, 'runs')).length === 0
  return { ...context, manager, model, task, noRunFolders }
}

// Each case imports torch once in a child process: seconds on an idle machine, far more on a loaded one.
const PREFLIGHT_TEST_MS = 300_000

describe('preflight before the first model call', () => {
  it(
    'names a task that does not parse and a device the machine lacks, and calls no model',
    async () => {
      const { manager, model, task, noRunFolders } = setup()
      const path = task('broken.py', relu.replace('def get_inputs():', 'def get_inputs(:'))
      const error = await manager.start({ taskPath: path, dsl: 'cpp', device: 'cuda:7', models: standIn }).catch((caught: unknown) => caught)
      expect(error).toMatchObject({
        code: 'PREFLIGHT_FAILED',
        detail: {
          problems: expect.arrayContaining([
            expect.objectContaining({ kind: 'task', code: 'TASK_SYNTAX' }),
            expect.objectContaining({ kind: 'device', code: 'DEVICE_MISSING' }),
          ]),
        },
      })
      expect((error as Error).message).toMatch(/broken\.py does not parse: .* at line \d+\. Fix: fix the task file/)
      expect((error as Error).message).toMatch(/cuda:7 does not exist here/)
      expect(model.requests).toHaveLength(0)
      expect(noRunFolders()).toBe(true)
    },
    PREFLIGHT_TEST_MS,
  )

  it.each([
    [
      'get_inputs',
      relu.replace('def get_inputs():\n', 'def get_inputs():\n    raise ValueError("no data for this shape")\n'),
      /the task's get_inputs\(\) raised ValueError: no data for this shape \(line \d+/,
    ],
    [
      'Model.__init__',
      relu.replace('super(Model, self).__init__()\n', 'super(Model, self).__init__()\n        raise RuntimeError("weights file missing")\n'),
      /Model\.__init__ raised RuntimeError: weights file missing/,
    ],
  ])(
    "reports an exception from the task's own %s as a task error, and calls no model",
    async (_where, source, message) => {
      const { manager, model, task, noRunFolders } = setup()
      const error = await manager.start({ taskPath: task('raises.py', source), dsl: 'cpp', models: standIn }).catch((caught: unknown) => caught)
      expect(error).toMatchObject({ code: 'PREFLIGHT_FAILED', detail: { problems: [expect.objectContaining({ kind: 'task', code: 'TASK_ERROR' })] } })
      expect((error as Error).message).toMatch(message)
      expect(model.requests).toHaveLength(0)
      expect(noRunFolders()).toBe(true)
    },
    PREFLIGHT_TEST_MS,
  )

  it(
    'refuses an environment without torch and a provider that does not answer, and calls no model',
    async () => {
      const { manager, model, host, task, noRunFolders } = setup()
      await host.settings.update((settings) => ({ ...settings, python: '/usr/bin/python3' }))
      await host.providers.save({ name: 'gone', kind: 'ollama', baseUrl: await closedPortUrl() })
      const error = await manager
        .start({ taskPath: task('relu.py', relu), dsl: 'cpp', models: { coder: 'gone:qwen2.5-coder:7b' } })
        .catch((caught: unknown) => caught)
      expect(error).toMatchObject({ code: 'PREFLIGHT_FAILED' })
      const problems = (error as { detail: { problems: Array<{ kind: string; code: string }> } }).detail.problems
      expect(problems.map((problem) => [problem.kind, problem.code])).toEqual([
        ['environment', 'ENV_NO_TORCH'],
        ['provider', 'PROVIDER_UNREACHABLE'],
      ])
      expect((error as Error).message).toMatch(/torch cannot be imported by \/usr\/bin\/python3 .*Fix: install it/)
      expect(model.requests).toHaveLength(0)
      expect(noRunFolders()).toBe(true)
    },
    PREFLIGHT_TEST_MS,
  )

  it(
    'lets a sound setup through (a replay folder named for every role has no server to ask): the reference ran once and the run starts',
    async () => {
      const { manager, host, task } = setup()
      await host.providers.save({
        name: 'samples',
        kind: 'replay',
        cassettePath: join(import.meta.dirname, '..', '..', '..', 'resources', 'cassettes'),
        defaultModel: 'hand-written-replay',
      })
      const models = { designer: 'samples:hand-written-replay', coder: 'samples:hand-written-replay', fixer: 'samples:hand-written-replay' }
      const run = await manager.wait((await manager.start({ taskPath: task('relu.py', relu), dsl: 'cpp', models })).id)
      expect(run.status).toBe('completed')
    },
    PREFLIGHT_TEST_MS,
  )
})
