import { describe, expect, it } from 'vitest'
import type { Verdict } from '../../../agents/contract/index.ts'
import { heatLines, ncuSection, ncuSectionError, summarizeNcu } from './ncu-view.ts'

const kernel = (name: string, durationMs: number, memory: number, stalls: Record<string, number>) => ({
  name,
  duration_ms: durationMs,
  memory_throughput_pct: memory,
  sm_throughput_pct: 20,
  achieved_occupancy_pct: 50,
  dram_bytes_read: 1e6,
  dram_bytes_write: 5e5,
  stalls,
  occupancy_limiter: 'registers',
  registers_per_thread: 64,
})

const verdict = {
  ncu: {
    kernels: [kernel('big', 0.03, 80, { long_scoreboard: 9, wait: 1, selected: 1 }), kernel('small', 0.01, 40, { barrier: 4 })],
    baseline: { error: 'ncu did not finish within 60 s' },
    source: {
      lines: [
        { line: 14, share: 0.4, top_stall: 'long_scoreboard', text: 'b = tl.load(b_ptr)' },
        { line: 3, share: 0, text: 'import triton' },
      ],
    },
  },
} as unknown as Verdict

describe('the Nsight Compute panels read the harness section', () => {
  it('weights speed of light and stalls by kernel time, and never counts an issued sample as a stall', () => {
    const side = summarizeNcu(ncuSection(verdict, 'candidate'), 'c0003')!
    expect(side.kernelCount).toBe(2)
    expect(side.memoryPct).toBeCloseTo((80 * 0.03 + 40 * 0.01) / 0.04)
    expect(side.stalls.long_scoreboard).toBeCloseTo(9 * 0.75)
    expect(side.stalls.barrier).toBeCloseTo(4 * 0.25)
    expect(side.stalls.selected).toBeUndefined()
    expect(side.dramReadBytes).toBe(2e6)
    expect(side.limiter).toBe('registers')
  })

  it('says why the baseline is missing, and gives the code view only lines with samples', () => {
    expect(summarizeNcu(ncuSection(verdict, 'baseline'), 'eager')).toBeNull()
    expect(ncuSectionError(ncuSection(verdict, 'baseline'))).toBe('ncu did not finish within 60 s')
    expect(heatLines(verdict)).toEqual({ lines: [{ line: 14, share: 0.4, topStall: 'long_scoreboard', text: 'b = tl.load(b_ptr)' }], error: null })
  })
})
