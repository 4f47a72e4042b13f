import { describe, expect, it } from 'vitest'
import { dslPlugins } from '../dsl/index.ts'
import { checkCandidate, extractCode } from './index.ts'

const fp32Task = 'import torch\ndef get_inputs():\n    return [torch.randn(4, 4)]\n'
const rules = (code: string, dsl: keyof typeof dslPlugins = 'cpp') =>
  checkCandidate({ code, dsl, taskSource: fp32Task }).findings.map((finding) => finding.rule)

describe('code extraction', () => {
  it('takes the fenced block that defines ModelNew, even after other blocks', () => {
    const answer = 'First a helper:\n```python\nx = 1\n```\nNow the module:\n```python\nclass ModelNew:\n    pass\n```\nDone.'
    expect(extractCode(answer)).toBe('class ModelNew:\n    pass\n')
  })

  it('keeps the code of an answer cut off inside its fence, and finds none in prose', () => {
    expect(extractCode('```python\nimport torch\nclass ModelNew:\n    pass')).toContain('class ModelNew')
    expect(extractCode('Sorry, I cannot do that.')).toBeNull()
  })
})

describe('the checker', () => {
  it('passes every DSL skeleton with no errors', () => {
    for (const plugin of Object.values(dslPlugins)) {
      const result = checkCandidate({ code: plugin.skeleton, dsl: plugin.name, taskSource: fp32Task })
      expect(
        result.findings.filter((finding) => finding.severity === 'error'),
        plugin.name,
      ).toEqual([])
    }
  })

  it('reports unbalanced brackets, unclosed strings and bad indentation with line numbers', () => {
    const broken = 'import torch\nclass ModelNew:\n    def forward(self, x):\n        y = (x + 1\n        return y\n'
    const findings = checkCandidate({ code: broken, dsl: 'cpp', taskSource: fp32Task }).findings
    expect(findings.find((finding) => finding.rule === 'syntax')!.message).toContain("'(' is never closed")
    expect(checkCandidate({ code: 's = """abc\nclass ModelNew:\n    pass\n', dsl: 'cpp', taskSource: '' }).findings[0]!.message).toContain('never closed')
    const indent = checkCandidate({ code: 'class ModelNew:\n    def forward(self, x)\n        return x\n', dsl: 'cpp', taskSource: '' }).findings
    expect(indent.map((finding) => finding.message)).toContain("line 3: unexpected indent (is a ':' missing at the end of the line before?).")
  })

  it('ignores brackets and keywords inside strings and comments', () => {
    const code = dslPlugins.cpp.skeleton.replace('cpp_source = r"""', 'cpp_source = r"""\n// torch.relu( unbalanced ( in C++ text')
    expect(rules(code).filter((rule) => rule === 'syntax' || rule === 'torch-compute')).toEqual([])
  })

  it('flags the known cheats with messages the Coder can act on', () => {
    const base = dslPlugins.cpp.skeleton
    expect(rules(base.replace('return relu_module.relu_forward(x)', 'return F.relu(x)'))).toContain('torch-compute')
    expect(rules(base.replace('return relu_module.relu_forward(x)', 'return x @ x'))).toContain('torch-compute')
    expect(
      rules(
        base.replace(
          'return relu_module.relu_forward(x)',
          'try:\n            return relu_module.relu_forward(x)\n        except Exception:\n            return x',
        ),
      ),
    ).toContain('fallback')
    expect(rules(base.replace('import torch\n', 'import torch\nimport threading\n'))).toContain('concurrency')
    expect(rules(base.replace('import torch\n', 'import torch\ntorch.cuda.synchronize = lambda: None\n'))).toContain('timer-patch')
    expect(rules(base.replace('return relu_module.relu_forward(x)', 'return relu_module.relu_forward(x.half()).float()'))).toContain('precision')
    const layer = base
      .replace('super().__init__()', 'super().__init__()\n        self.fc = nn.Linear(4, 4)')
      .replace('return relu_module.relu_forward(x)', 'return relu_module.relu_forward(self.fc(x))')
    expect(checkCandidate({ code: layer, dsl: 'cpp', taskSource: fp32Task }).findings.find((finding) => finding.rule === 'torch-compute')!.message).toContain(
      'self.fc, an nn.Linear',
    )
  })

  it('allows half precision when the task itself uses it', () => {
    const code = dslPlugins.cpp.skeleton.replace('return relu_module.relu_forward(x)', 'return relu_module.relu_forward(x.half())')
    expect(checkCandidate({ code, dsl: 'cpp', taskSource: 'x = torch.randn(4, dtype=torch.float16)' }).findings.map((finding) => finding.rule)).not.toContain(
      'precision',
    )
  })

  it('checks that the DSL kernel is defined and launched', () => {
    const triton = dslPlugins.triton.skeleton
    expect(
      checkCandidate({
        code: triton.replace('relu_kernel[grid](x, y, n, BLOCK_SIZE=BLOCK_SIZE, num_warps=NUM_WARPS)', 'pass'),
        dsl: 'triton',
        taskSource: fp32Task,
      }).findings[0]!.message,
    ).toContain('never launched')
    expect(rules(triton.replace('@triton.jit\n', ''), 'triton')).toContain('dsl-triton')
    const cuda = dslPlugins.cuda_c.skeleton
    expect(checkCandidate({ code: cuda.replace(/relu_kernel<<<[^;]+;/, ''), dsl: 'cuda_c', taskSource: fp32Task }).findings[0]!.message).toContain(
      'never launched',
    )
    const cpp = dslPlugins.cpp.skeleton
    expect(
      checkCandidate({
        code: cpp.replace('"-O3", "-fopenmp", "-march=native"', '"-O3"').replace('extra_ldflags=["-fopenmp"],\n', ''),
        dsl: 'cpp',
        taskSource: fp32Task,
      }).findings[0]!.message,
    ).toContain('-fopenmp is not in extra_cflags')
    expect(rules(cpp, 'triton')).toContain('dsl-triton')
    expect(rules(dslPlugins.tilelang.skeleton.replace('with T.Kernel', 'with T.Block'), 'tilelang')).toContain('dsl-tilelang')
  })
})
