import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parsePresetText, PresetError, resolveStrategy, selectPreset } from '../../../agents/tuner/index.ts'
import { loadPresetFile, loadPresets } from './presets.ts'

const root = join(import.meta.dirname, '..', '..', '..')
const fixtures = join(root, 'test', 'fixtures', 'tuner')
const { presets: shipped, problems } = await loadPresets([join(root, 'resources', 'tuner', 'presets')])
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8')

describe('preset files', () => {
  it('every shipped preset is valid and names are unique', () => {
    expect(problems).toEqual([])
    expect(shipped.length).toBeGreaterThanOrEqual(8)
    expect(new Set(shipped.map((item) => item.preset.name)).size).toBe(shipped.length)
  })

  it('lists a malformed file in a folder as a problem naming the field, and loads the rest', async () => {
    const loaded = await loadPresets([join(root, 'resources', 'tuner', 'presets'), fixtures])
    expect(loaded.presets.length).toBe(shipped.length)
    expect(
      loaded.problems.map((problem) => [problem.file.endsWith('malformed-eta.json') || problem.file.endsWith('malformed-expression.json'), problem.field]),
    ).toEqual([
      [true, 'strategy.eta'],
      [true, 'constraints.0.expression'],
    ])
    await expect(loadPresetFile(join(fixtures, 'malformed-eta.json'))).rejects.toThrow(/malformed-eta\.json: strategy\.eta: /)
    await expect(loadPresetFile(join(fixtures, 'missing.json'))).rejects.toThrow(/missing\.json: \(document\): cannot be read/)
  })

  it('a malformed file is refused with the file and the field at fault', () => {
    expect(() => parsePresetText(fixture('malformed-eta.json'), 'malformed-eta.json')).toThrow(/^malformed-eta\.json: strategy\.eta: .*>=2/)
    expect(() => parsePresetText(fixture('malformed-expression.json'), 'bad.json')).toThrow(/^bad\.json: constraints\.0\.expression: unexpected "\*"/)
    expect(() => parsePresetText('{"name": "x",', 'cut.json')).toThrow(/^cut\.json: \(document\): not valid JSON/)
    const unknown = JSON.stringify({ name: 'x', description: 'y', match: {}, strategy: { kind: 'tpe', sede: 1 }, budget: { evaluations: 1, minutes: 1 } })
    expect(() => parsePresetText(unknown, 'typo.json')).toThrow(/typo\.json: strategy: .*sede/)
    const missingBudget = JSON.stringify({ name: 'x', description: 'y', match: {}, strategy: { kind: 'random' } })
    try {
      parsePresetText(missingBudget, 'no-budget.json')
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(PresetError)
      expect((error as PresetError).field).toBe('budget')
    }
  })
})

describe('choosing a preset', () => {
  it('picks the scenario preset and says why', () => {
    const { loaded, reason } = selectPreset(shipped, { dsl: 'triton', deviceFamily: 'hopper', kernel: '19_ReLU' })
    expect(loaded.preset.name).toBe('triton-hopper')
    expect(reason).toBe('preset triton-hopper matched on dsl triton, device family hopper')
    const resolved = resolveStrategy(loaded, reason, '19_ReLU')
    expect(resolved.override).toBeNull()
    expect(resolved.strategy.kind).toBe('tpe')
  })

  it('applies the kernel override of the matched preset, adding its constraint and budget', () => {
    const { loaded, reason } = selectPreset(shipped, { dsl: 'triton', deviceFamily: 'hopper', kernel: '1_Square_matrix_multiplication_' })
    const resolved = resolveStrategy(loaded, reason, '1_Square_matrix_multiplication_', { minutes: 3 })
    expect(resolved.budget).toEqual({ evaluations: 64, minutes: 3 })
    expect(resolved.constraints.map((constraint) => constraint.name)).toContain('shared memory (Hopper, 227 KiB a block)')
    expect(resolved.reasons.join('\n')).toMatch(/override \/matmul\|matrix_mult\|gemm\|bmm\|linear\/i applied to kernel "1_Square_matrix_multiplication_"/)
    expect(resolved.reasons.join('\n')).toMatch(/budget set by the caller: 64 evaluations, 3 minutes/)
  })

  it('runs Triton on the CPU through the correctness-only preset, and falls back for unknown scenarios', () => {
    const interpreter = selectPreset(shipped, { dsl: 'triton', deviceFamily: 'cpu-interpreter', kernel: 'softmax' })
    expect(interpreter.loaded.preset.name).toBe('triton-cpu-interpreter')
    expect(interpreter.loaded.preset.timing).toBe(false)
    expect(selectPreset(shipped, { dsl: 'tilelang', deviceFamily: 'hopper', kernel: 'x' }).loaded.preset.name).toBe('fallback')
  })

  it('never picks a by-name-only strategy preset automatically, but takes it when named', () => {
    const named = selectPreset(shipped, { dsl: 'cpp', deviceFamily: 'cpu', kernel: 'x' }, 'exhaustive')
    expect(named.loaded.preset.strategy.kind).toBe('exhaustive')
    expect(named.reason).toBe('preset exhaustive was chosen explicitly')
    expect(() => selectPreset(shipped, { dsl: 'cpp', deviceFamily: 'cpu', kernel: 'x' }, 'nope')).toThrow(/no preset named "nope"; known presets: /)
    const withoutFallback = shipped.filter((item) => item.preset.name !== 'fallback')
    expect(() => selectPreset(withoutFallback, { dsl: 'tilelang', deviceFamily: 'npu', kernel: 'x' })).toThrow(
      /no tuning preset matches dsl tilelang on device family npu/,
    )
  })
})
