import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../helpers/temp-host.ts'

interface TorchBuild {
  tag: string
  index: string
  reason: string
}
// Plain .mjs scripts (they run before anything is built); imported by path so tsc does not type them.
const pythonEnv = (await import(join(repoRoot, 'scripts', 'python-env.mjs'))) as { torchBuild(driver: string | null): TorchBuild }
const setup = (await import(join(repoRoot, 'scripts', 'setup.mjs'))) as { filterEngineWarnings(text: string): { kept: string; electronWarned: boolean } }

describe('npm start setup', () => {
  it('picks the CPU build without a driver and the newest CUDA build the driver runs', () => {
    expect(pythonEnv.torchBuild(null)).toMatchObject({ tag: 'cpu', index: 'https://download.pytorch.org/whl/cpu' })
    expect(pythonEnv.torchBuild('580.82.07')).toMatchObject({ tag: 'cu130' })
    expect(pythonEnv.torchBuild('570.133.20')).toMatchObject({ tag: 'cu128' })
    expect(pythonEnv.torchBuild('565.57.01')).toMatchObject({ tag: 'cu126' })
    const old = pythonEnv.torchBuild('535.104.05')
    expect(old.tag).toBe('cpu')
    expect(old.reason).toContain('update the driver')
  })

  it("replaces npm's EBADENGINE blocks for Electron's packages with one line and keeps every other warning", () => {
    const block = (name: string) => [
      'npm warn EBADENGINE Unsupported engine {',
      `npm warn EBADENGINE   package: '${name}',`,
      "npm warn EBADENGINE   required: { node: '>=22.12.0' },",
      "npm warn EBADENGINE   current: { node: 'v20.20.2', npm: '11.19.1' }",
      'npm warn EBADENGINE }',
    ]
    const text = [...block('@electron/get@5.1.0'), ...block('electron@45.4.1'), ...block('left-pad@9.0.0'), 'npm warn deprecated glob@7'].join('\n')
    const result = setup.filterEngineWarnings(text)
    expect(result.electronWarned).toBe(true)
    expect(result.kept).not.toContain('electron')
    expect(result.kept).toContain("package: 'left-pad@9.0.0'")
    expect(result.kept).toContain('deprecated glob@7')
  })
})
