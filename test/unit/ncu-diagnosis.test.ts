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
 * The harness's own parsers turn stored ncu output (raw metrics page and source page) into the
 * `ncu` section of a verdict, exactly as run_ncu writes it; the agent side reads that section.
 */
function ncuSection(raw: string, source: string, candidate: string): unknown {
  const script = [
    'import json, sys',
    'from akg_harness.ncu_metrics import parse_csv, totals',
    'from akg_harness.ncu_source import map_to_candidate, parse_source_page',
    'raw, source, candidate = (open(p).read() for p in sys.argv[1:4])',
    'kernels = parse_csv(raw)',
    'for k in kernels: k["dsl"] = True',
    'section = {"kernels": kernels, "total": totals(kernels), "source": map_to_candidate(parse_source_page(source), candidate)}',
    'section["baseline"] = {"kernels": [dict(k, name="at::native::vectorized_elementwise_kernel", duration_ms=0.0431, memory_throughput_pct=88.0, sm_throughput_pct=12.0, dsl=False) for k in kernels]}',
    'print(json.dumps(section))',
  ].join('\n')
  const output = execFileSync(python, ['-c', script, raw, source, candidate], { env: { ...process.env, PYTHONPATH: harness }, encoding: 'utf8' })
  return JSON.parse(output)
}

describe('ncu diagnosis from stored reports', () => {
  const candidatePath = join(fixtures, 'candidates', 'triton', 'add_correct.py')
  const verdict: Verdict = {
    ...makeVerdict('passed', { medianMs: 0.061 }),
    roofline: { bytes: 201326592, peak_bandwidth_gbs: 4800, achieved_bandwidth_gbs: 3300, peak_tflops: 67 },
    ncu: ncuSection(join(fixtures, 'ncu', 'candidate-raw.csv'), join(fixtures, 'ncu', 'candidate-source.csv'), candidatePath),
  }

  it('says what bounds the kernel, the top stall, the occupancy limiter, the traffic and the hot line', () => {
    const analysis = analyzeProfile(verdict)
    expect(analysis.bound).toBe('memory-bound')
    const facts = analysis.facts ?? []
    expect(analysis.summary).toContain('memory 71% and compute 18% of speed of light')
    expect(facts.join('\n')).toContain('Roofline: bandwidth at 69% of the device peak, so the memory roof leaves at most 1.5x.')
    expect(facts.join('\n')).toContain('Top warp stall: long scoreboard, 82% of stalled warps (waiting on global or local memory (L1TEX) results)')
    expect(facts.join('\n')).toContain('the theoretical limit is set by registers per thread (2 blocks of 128 threads per SM, 128 registers per thread)')
    expect(facts.join('\n')).toContain("DRAM traffic 302.0 MB (1.50x the task's 201.3 MB minimum)")
    expect(facts.join('\n')).toContain('Line 14 (`b = tl.load(b_ptr + offsets, mask=mask)`): 40% of stall samples, mostly long scoreboard')
    expect(facts.join('\n')).toContain('PyTorch eager runs 1 kernel in 43.1 µs of GPU time')
    expect(facts.length).toBeLessThanOrEqual(8)
  })

  it('puts the facts and the numbered hot line into the optimize prompt', () => {
    const code = readFileSync(candidatePath, 'utf8')
    const prompt = optimizeMessages(
      { dsl: 'triton', device: 'cuda:0', taskSource: 'class Model: ...', knowledge: [] },
      code,
      analyzeProfile(verdict),
      'median 0.061 ms',
      [],
    )
      .map((message) => message.content)
      .join('\n')
    expect(prompt).toContain('14|     b = tl.load(b_ptr + offsets, mask=mask)')
    expect(prompt).toContain('- Line 14 (`b = tl.load(b_ptr + offsets, mask=mask)`): 40% of stall samples')
    expect(prompt).toContain('Levers for a memory-bound kernel')
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
