import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { applyConfiguration, enumerateSpace, parseSpace, type Configuration } from '../../../agents/tuner/index.ts'
import type { Dsl } from '../../../agents/ports/runner.ts'
import { runCommand } from '../exec.ts'

const root = join(import.meta.dirname, '..', '..', '..')
const venvPython = join(root, '.venv', 'bin', 'python')
const python = existsSync(venvPython) ? venvPython : 'python3'

/** The harness's Python applies params with akg_harness.tuning; it must write exactly what the tuner writes. */
async function pythonApply(source: string, params: Configuration): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCommand(python, ['-m', 'akg_harness.tuning'], {
    timeoutMs: 30_000,
    input: JSON.stringify({ source, params }),
    env: { ...process.env, PYTHONPATH: join(root, 'resources', 'harness') },
  })
}

const fixtures: Array<[string, Dsl]> = [
  ['relu_triton.py', 'triton'],
  ['softmax_autotune.py', 'triton'],
  ['matmul_cpp.py', 'cpp'],
]

describe('the harness applies params exactly as the tuner writes them', () => {
  for (const [name, dsl] of fixtures) {
    it(`${name}: every configuration of the space`, async () => {
      const source = readFileSync(join(root, 'test', 'fixtures', 'tuner', name), 'utf8')
      const space = parseSpace(source, dsl)
      const configurations = enumerateSpace(space)
      expect(configurations.length).toBeGreaterThan(2)
      for (const params of configurations) {
        const result = await pythonApply(source, params)
        expect(result.stderr).toBe('')
        expect(result.stdout).toBe(applyConfiguration(source, space, params))
      }
    })
  }

  it('a name the candidate does not declare is refused on both sides', async () => {
    const source = readFileSync(join(root, 'test', 'fixtures', 'tuner', 'relu_triton.py'), 'utf8')
    const result = await pythonApply(source, { BLOCK: 128 })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/declares no tunable named BLOCK/)
    expect(() => applyConfiguration(source, parseSpace(source, 'triton'), { BLOCK: 128 })).toThrow(/declares no tunable named BLOCK/)
  })
})
