import { describe, expect, it } from 'vitest'
import type { ToolchainReport } from '../../../agents/contract/index.ts'
import { hostHardwareFacts, hostVersions } from './run-hardware.ts'

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
    // ...but its prompts still get the versions, and a failed detection gives none rather than a guess.
    expect(await hostVersions(async () => report)()).toEqual({ torch: '2.11.0+cu130', triton: '3.6.0' })
    expect(await hostVersions(async () => Promise.reject(new Error('no python')))()).toEqual({ torch: null, triton: null })
  })
})
