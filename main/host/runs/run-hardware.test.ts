import { describe, expect, it } from 'vitest'
import type { ToolchainReport } from '../../../agents/contract/index.ts'
import { hostHardwareFacts, hostFacts } from './run-hardware.ts'

const status = (name: string, version: string | null) => ({
  name,
  kind: 'python-package' as const,
  found: version !== null,
  version,
  path: null,
  reason: null,
  install: null,
})

const report: ToolchainReport = {
  detectedAt: '2026-11-30T12:00:00Z',
  python: { ...status('python', '3.12.3'), kind: 'interpreter' },
  packages: [status('torch', '2.11.0+cu130'), status('triton', '3.6.0'), status('tilelang', null)],
  executables: [],
  devices: [
    { kind: 'cuda', index: 0, name: 'NVIDIA H200', memory_gb: 139.8, capability: '9.0', sm_count: 132, l2_bytes: 62_914_560, peak_bandwidth_gbs: 4800 },
    { kind: 'cpu', index: 0, name: 'AMD EPYC 9654', memory_gb: 125.7, capability: null, cores: 16, cache_bytes: 33_554_432, simd: ['avx2', 'fma', 'avx512f'] },
  ],
  durationMs: 10,
}

describe('hardware facts for a run', () => {
  it('resolves cuda:0 through the toolchain report, with the sheet for what the device does not report', async () => {
    const facts = await hostHardwareFacts(async () => report)('cuda:0')
    expect(facts).toMatchObject({
      name: 'NVIDIA H200',
      smCount: 132,
      l2Mb: 60,
      bandwidthGbs: 4800,
      sharedPerSmKb: 228,
      registersPerSm: 65536,
      torch: '2.11.0+cu130',
      triton: '3.6.0',
    })
  })

  it('falls back to the sheet named in a remote device, and gives a CPU run no GPU facts', async () => {
    expect(await hostHardwareFacts(async () => report)('box:h100:cuda:0')).toMatchObject({
      name: 'NVIDIA H100 SXM5',
      smCount: 132,
      source: 'the studio sheet (the device reported nothing)',
    })
    expect(await hostHardwareFacts(async () => report)('cpu')).toBeNull()
    // ...but its prompts still get the versions and the CPU as reported; a remote CPU is not this one,
    // and a failed detection gives nothing rather than a guess.
    expect(await hostFacts(async () => report)('cpu')).toEqual({
      torch: '2.11.0+cu130',
      triton: '3.6.0',
      cpu: { name: 'AMD EPYC 9654', cores: 16, cacheMb: 32, memoryGb: 125.7, simd: ['avx2', 'fma', 'avx512f'] },
    })
    expect((await hostFacts(async () => report)('box:cpu')).cpu).toBeNull()
    expect(await hostFacts(async () => Promise.reject(new Error('no python')))('cpu')).toEqual({ torch: null, triton: null, cpu: null })
  })
})
