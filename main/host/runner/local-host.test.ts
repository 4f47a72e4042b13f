import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot, temporaryHost } from '../../../test/helpers/temp-host.ts'

const fixtures = join(repoRoot, 'resources', 'harness', 'tests', 'fixtures')

describe('host.runner with the real harness on this machine', () => {
  let context: ReturnType<typeof temporaryHost>
  beforeAll(() => {
    context = temporaryHost()
  })
  afterAll(async () => {
    await context.dispose()
  })

  it('verifies a Triton candidate on the CPU through a warm worker and reports it in runner.status', async () => {
    const request = {
      taskPath: join(fixtures, 'tasks', 'vector_add.py'),
      candidatePath: join(fixtures, 'candidates', 'triton', 'add_correct.py'),
      dsl: 'triton' as const,
      device: 'cpu',
      timingTrials: 3,
      timeoutSeconds: 180,
    }
    const first = await context.host.runner.evaluate(request)
    expect(first).toMatchObject({ schema_version: 2, status: 'passed', correct: true })
    const second = await context.host.runner.evaluate(request)
    expect(second.status).toBe('passed')
    const status = await context.handlers['runner.status']({}, { transport: 'cli' })
    const busiest = status.workers.reduce((best, worker) => (worker.evaluations > best.evaluations ? worker : best))
    // One worker per CPU slot; with both evaluations in sequence, the first worker served both, warm.
    expect(status.evaluations.passed).toBe(2)
    expect(busiest).toMatchObject({ host: 'local', device: 'cpu', state: 'idle', restarts: 0 })
  })
})
