import { describe, expect, it } from 'vitest'
import { dslPlugins } from '../dsl/index.ts'
import {
  agentRoles,
  defaultBudget,
  detectDsl,
  deviceKind,
  dslNames,
  dslRegistry,
  fastP,
  flowControlProblem,
  geometricMean,
  isDsl,
  roleRegistry,
  runFolder,
  terminalFlow,
  writerRoles,
} from './registry.ts'

describe('the registry', () => {
  it('lists every DSL the agents have a plugin for, and no other', () => {
    expect([...dslNames].sort()).toEqual(Object.keys(dslPlugins).sort())
    for (const dsl of dslNames) expect(dslPlugins[dsl].name).toBe(dsl)
    expect(isDsl('cpp')).toBe(true)
    expect(isDsl('fortran')).toBe(false)
    expect(isDsl('toString')).toBe(false)
  })

  it('says where each DSL runs: C++ on the CPU, Triton on the CPU only in its interpreter', () => {
    expect(dslRegistry.cpp.devices).toEqual(['cpu'])
    expect(dslRegistry.triton.cpuInterpreter).toBe(true)
    const onCpu = dslNames.filter((dsl) => dslRegistry[dsl].devices.includes('cpu') || dslRegistry[dsl].cpuInterpreter)
    expect(onCpu).toEqual(expect.arrayContaining(['triton', 'cpp']))
    expect(onCpu).not.toContain('cuda_c')
    expect(onCpu).not.toContain('tilelang')
    // Only a DSL that never runs natively on the CPU can be interpreted there.
    for (const dsl of dslNames) if (dslRegistry[dsl].cpuInterpreter) expect(dslRegistry[dsl].devices, dsl).not.toContain('cpu')
    expect([deviceKind('cpu'), deviceKind('cuda:1'), deviceKind('box:cuda:0'), deviceKind('npu:0'), deviceKind('box:cpu')]).toEqual([
      'cpu',
      'cuda',
      'cuda',
      'npu',
      'cpu',
    ])
  })

  it('derives the model roles: the Verifier calls none, the Conductor one only when it is set', () => {
    expect(agentRoles).toEqual(['designer', 'coder', 'fixer', 'conductor'])
    expect(writerRoles).toEqual(['designer', 'coder', 'fixer'])
    expect(roleRegistry.verifier.model).toBe('never')
    expect(roleRegistry.conductor.model).toBe('optional')
  })

  it('lays out the run folder', () => {
    expect([runFolder.spec, runFolder.log, runFolder.lock]).toEqual(['spec.json', 'events.jsonl', 'run.lock'])
    expect(runFolder.candidateCode('c0003')).toBe('candidates/c0003/candidate.py')
    expect(runFolder.result('c0003')).toBe('candidates/c0003/result.json')
    expect(runFolder.result('c0003', 'source')).toBe('candidates/c0003/result-source.json')
  })

  it('refuses flow-control numbers that could leave a paused terminal paused for good', () => {
    expect(flowControlProblem(terminalFlow)).toBeNull()
    // The screen may hold acknowledgeSize - 1 characters unacknowledged; the pty resumes below lowWater.
    expect(flowControlProblem({ highWater: 100_000, lowWater: 5_000, acknowledgeSize: 5_001 })).toMatch(/paused forever/)
    expect(flowControlProblem({ highWater: 5_000, lowWater: 5_000, acknowledgeSize: 1_000 })).toMatch(/below the high-water mark/)
    expect(flowControlProblem({ highWater: 100_000, lowWater: 5_000, acknowledgeSize: 0 })).toMatch(/positive/)
  })

  it('computes fast_p over all tasks and the geometric mean of positive values', () => {
    expect(fastP([2, 0.5, null, 1.2], 1)).toBe(0.5)
    expect(fastP([2, null], 1, 4)).toBe(0.25)
    expect(fastP([], 1)).toBe(0)
    expect(geometricMean([2, 0.5, 0, Number.NaN, -1])).toBeCloseTo(1)
    expect(geometricMean([])).toBeNull()
  })

  it('keeps the run defaults a single local-model run finishes within', () => {
    expect(defaultBudget).toEqual({ steps: 12, candidates: 16, tokens: 400_000, minutes: 60 })
  })

  it('detects by the stricter rule: an import must open a line, and one stray #include is no C++', () => {
    expect(detectDsl('# we could import triton here one day\nimport torch\n').dsl).toBeNull()
    expect(detectDsl('src = "#include <vector>"\nmodule = load_inline(name="x", cpp_sources=src)\n').dsl).toBe('cpp')
    expect(detectDsl('src = "#include <vector>"\n').dsl).toBeNull()
  })
})
