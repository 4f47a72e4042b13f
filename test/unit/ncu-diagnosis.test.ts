import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Verdict } from '../../agents/ports/index.ts'
import { analyzeProfile } from '../../agents/roles/profile.ts'
import { optimizeMessages } from '../../agents/roles/prompts.ts'
import { makeVerdict } from '../../agents/testing/fake-runner.ts'
import { repoRoot } from '../helpers/temp-host.ts'

const harness = join(repoRoot, 'resources', 'harness')
const fixtures = join(harness, 'tests', 'fixtures')
const python = join(repoRoot, '.venv', 'bin', 'python')

/**
 * The harness's own parsers turn stored ncu output into the `ncu` section of a verdict, as
 * run_ncu writes it; the agent side reads that section. The reports are real: ncu 2025.3.1 on
 * an H200, a CUDA-C vector add (2^24 fp32, tests/fixtures/candidates/cuda_c/add_correct.py)
 * and PyTorch eager's kernel for the same task, from one collection of the harness.
 */
function ncuSection(folder: string, candidate: string): unknown {
  const script = [
    'import json, sys',
    'from akg_harness.ncu_metrics import parse_csv, totals',
    'from akg_harness.ncu_source import map_to_candidate, parse_source_page',
    'raw, source, reference, candidate = (open(p).read() for p in sys.argv[1:5])',
    'kernels = [dict(k, dsl=True) for k in parse_csv(raw)]',
    'baseline = [dict(k, dsl=False) for k in parse_csv(reference)]',
    'section = {"kernels": kernels, "total": totals(kernels), "source": map_to_candidate(parse_source_page(source), candidate)}',
    'section["baseline"] = {"kernels": baseline, "total": totals(baseline)}',
    'print(json.dumps(section))',
  ].join('\n')
  const files = ['candidate-raw.csv', 'candidate-source.csv', 'reference-raw.csv'].map((name) => join(fixtures, 'ncu', folder, name))
  const output = execFileSync(python, ['-c', script, ...files, candidate], { env: { ...process.env, PYTHONPATH: harness }, encoding: 'utf8' })
  return JSON.parse(output)
}

describe('ncu diagnosis from stored reports', () => {
  const candidatePath = join(fixtures, 'candidates', 'cuda_c', 'add_correct.py')
  const verdict: Verdict = {
    ...makeVerdict('passed', { medianMs: 0.058 }),
    // 3 x 2^24 fp32 moved; the H200's 4.8 TB/s.
    roofline: { bytes: 201326592, peak_bandwidth_gbs: 4800, achieved_bandwidth_gbs: 3480, peak_tflops: 67 },
    ncu: ncuSection('cuda_add', candidatePath),
  }

  it('says what bounds the kernel, the top stall, the traffic, the hot line and the baseline', () => {
    const analysis = analyzeProfile(verdict)
    expect(analysis.bound).toBe('memory-bound')
    const facts = (analysis.facts ?? []).join('\n')
    expect(analysis.summary).toContain('memory 68% and compute 23% of speed of light (DRAM 68%)')
    expect(facts).toContain('Roofline: bandwidth at 73% of the device peak, so the memory roof leaves at most 1.4x.')
    expect(facts).toContain('Top warp stall: long scoreboard, 87% of stalled warps (waiting on global or local memory (L1TEX) results)')
    expect(facts).toContain('Line 11 (`out[i] = a[i] + b[i];`): 90% of stall samples, mostly long scoreboard (96% of its samples)')
    expect(facts).toContain('Achieved occupancy 73% of a theoretical 100%')
    expect(facts).toContain("DRAM traffic 189.5 MB (0.94x the task's 201.3 MB minimum, the rest still in L2 when the kernel ended)")
    expect(facts).toContain('PyTorch eager runs 1 kernel in 45.5 µs of GPU time (0.79x the candidate')
    expect(facts).toContain('16 registers per thread, no spills')
    expect(facts).not.toContain('theoretical limit is set by') // 100% theoretical: nothing limits it
    expect(analysis.facts?.length).toBeLessThanOrEqual(8)
  })

  it('puts the facts and the numbered hot line into the optimize prompt', () => {
    const code = readFileSync(candidatePath, 'utf8')
    const prompt = optimizeMessages(
      { dsl: 'cuda_c', device: 'cuda:0', taskSource: 'class Model: ...', knowledge: [] },
      code,
      analyzeProfile(verdict),
      'median 0.058 ms',
      [],
    )
      .map((message) => message.content)
      .join('\n')
    expect(prompt).toContain('11|         out[i] = a[i] + b[i];')
    expect(prompt).toContain('- Line 11 (`out[i] = a[i] + b[i];`): 90% of stall samples')
    expect(prompt).toContain('Levers for a memory-bound kernel')
  })

  it('names the occupancy limiter when one holds the theoretical occupancy down', () => {
    const section = verdict.ncu as { kernels: Array<Record<string, unknown>> }
    // The real kernel with 128 registers per thread: two blocks of 256 threads fit, 25%.
    const heavy: Verdict = {
      ...verdict,
      ncu: {
        ...section,
        kernels: section.kernels.map((kernel) => ({
          ...kernel,
          registers_per_thread: 128,
          block_limit_registers: 2,
          theoretical_occupancy_pct: 25,
          achieved_occupancy_pct: 22,
          occupancy_limiter: 'registers',
        })),
      },
    }
    const facts = (analyzeProfile(heavy).facts ?? []).join('\n')
    expect(facts).toContain('the theoretical limit is set by registers per thread (2 blocks of 256 threads per SM, 128 registers per thread)')
  })

  it('reads occupancy per kernel, so the occupancy rule fires on a kernel that starves the SMs', () => {
    const section = verdict.ncu as { kernels: Array<Record<string, unknown>> }
    const starving: Verdict = {
      ...verdict,
      roofline: null,
      ncu: {
        ...section,
        kernels: section.kernels.map((kernel) => ({ ...kernel, memory_throughput_pct: 12, sm_throughput_pct: 9, achieved_occupancy_pct: 9 })),
      },
    }
    const analysis = analyzeProfile(starving)
    expect(analysis.bound).toBe('occupancy-bound')
    expect(analysis.metrics.occupancy).toBe(9)
    expect(analysis.summary).toContain('neither roof binds')
  })
})
