import { describe, expect, it } from 'vitest'
import { checkCandidate } from '../../checker/index.ts'
import { detectDsl, dslRegistry, isDsl, registryDocument } from '../../contract/registry.ts'
import { dslPlugins } from '../index.ts'

const plugin = dslPlugins.numpy
const fp32Task = 'import torch\ndef get_inputs():\n    return [torch.randn(4, 4)]\n'
const check = (code: string) => checkCandidate({ code, dsl: 'numpy', taskSource: fp32Task }).findings
const errors = (code: string) => check(code).filter((finding) => finding.severity === 'error')
const forwardReturn = 'return torch.from_numpy(relu_kernel(x.detach().contiguous().numpy()))'

describe('the numpy DSL in the registry', () => {
  it('is a CPU DSL a model writes, with a numpy package and its harness adapter', () => {
    expect(isDsl('numpy')).toBe(true)
    expect(dslRegistry.numpy).toMatchObject({ devices: ['cpu'], modelWrites: true, cpuInterpreter: false, precompiled: false, pythonPackage: 'numpy' })
    expect(registryDocument().dsls.find((entry) => entry.name === 'numpy')).toMatchObject({ adapter: { module: 'numpy_dsl', class: 'NumpyAdapter' } })
  })

  it('detects a NumPy kernel file from its imports and conversions', () => {
    const found = detectDsl(plugin.skeleton)
    expect(found.dsl).toBe('numpy')
    expect(found.evidence).toEqual(expect.arrayContaining(['imports numpy', 'torch.from_numpy(...) hands NumPy results back to torch']))
  })

  it('does not take a file that only imports numpy, or a Triton kernel that converts through NumPy, for a NumPy kernel', () => {
    expect(
      detectDsl('import numpy as np\nimport torch\nclass ModelNew(torch.nn.Module):\n    def forward(self, x):\n        return torch.relu(x)\n').dsl,
    ).toBeNull()
    const triton = dslPlugins.triton.skeleton
      .replace('import torch\n', 'import numpy as np\nimport torch\n')
      .replace('return y', 'return torch.from_numpy(y.numpy())')
    const found = detectDsl(triton)
    expect(found.dsl).toBe('triton')
    expect(found.alsoSeen).not.toContain('numpy')
  })
})

describe('the numpy static rules', () => {
  it('pass the skeleton with no finding at all', () => {
    expect(check(plugin.skeleton)).toEqual([])
  })

  it('refuse a forward that computes with torch instead of NumPy', () => {
    const torchForward = plugin.skeleton.replace(forwardReturn, 'return torch.relu(x)')
    const rules = errors(torchForward).map((finding) => finding.rule)
    expect(rules).toContain('torch-compute')
    expect(rules).toContain('dsl-numpy')
    expect(
      errors(torchForward)
        .map((finding) => finding.message)
        .join('\n'),
    ).toMatch(/never calls it|torch\.from_numpy/)
  })

  it('refuse torch compute hidden in the kernel function', () => {
    const hidden = plugin.skeleton.replace(
      'np.maximum(flat[start:start + CHUNK], 0, out=out[start:start + CHUNK])',
      'out[start:start + CHUNK] = torch.relu(torch.from_numpy(flat[start:start + CHUNK])).numpy()',
    )
    const finding = errors(hidden).find((item) => item.rule === 'torch-compute')
    expect(finding?.message).toContain('torch.relu is PyTorch compute')
    expect(finding?.line).toBe(12)
  })

  it('require NumPy, a kernel called from forward, and the conversions both ways', () => {
    expect(
      errors(plugin.skeleton.replace('import numpy as np\n', ''))
        .map((finding) => finding.message)
        .join('\n'),
    ).toContain('does not import numpy')
    expect(
      errors(plugin.skeleton.replace(forwardReturn, 'return torch.as_tensor(relu_kernel(x.detach().contiguous().numpy()))'))
        .map((finding) => finding.message)
        .join('\n'),
    ).toContain('torch.from_numpy(result)')
    expect(
      errors(plugin.skeleton.replace(forwardReturn, 'return torch.from_numpy(np.asarray(x))'))
        .map((finding) => finding.message)
        .join('\n'),
    ).toContain('forward never calls it')
    const noKernel =
      'import numpy as np\nimport torch\nimport torch.nn as nn\n\n\nclass ModelNew(nn.Module):\n    def forward(self, x):\n        return torch.from_numpy(x.numpy())\n'
    expect(
      errors(noKernel)
        .map((finding) => finding.message)
        .join('\n'),
    ).toContain('No NumPy kernel is defined')
  })

  it('refuse other engines and CUDA devices, and warn about float64', () => {
    expect(
      errors(plugin.skeleton.replace('import numpy as np\n', 'import numpy as np\nimport numba\n'))
        .map((finding) => finding.message)
        .join('\n'),
    ).toContain('numba is not NumPy')
    expect(errors(plugin.skeleton.replace('.numpy()))', '.numpy())).cuda()')).map((finding) => finding.rule)).toContain('dsl-numpy')
    const double = check(plugin.skeleton.replace('np.empty_like(flat)', 'np.empty_like(flat, dtype=np.float64)'))
    expect(double).toEqual([expect.objectContaining({ rule: 'precision', severity: 'warning', line: 10 })])
  })
})
