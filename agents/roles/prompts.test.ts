import { describe, expect, it } from 'vitest'
import { hardwareFacts } from '../knowledge/hardware-facts.ts'
import { makeVerdict } from '../testing/fake-runner.ts'
import { coderMessages, describeFailure, designerMessages, fixerMessages, optimizeMessages, type PromptTask } from './prompts.ts'

const task = (overrides: Partial<PromptTask> = {}): PromptTask => ({
  dsl: 'triton',
  device: 'cuda:0',
  taskSource: 'class Model(nn.Module):\n    def forward(self, x):\n        return torch.relu(x)\n',
  knowledge: [],
  hardware: hardwareFacts(
    { name: 'NVIDIA H200', smCount: 132, memoryGb: 139.8, l2Bytes: 62914560, computeCapability: '9.0' },
    { torch: '2.11.0', triton: '3.6.0' },
  ),
  ...overrides,
})

const text = (messages: Array<{ content: string }>) => messages.map((message) => message.content).join('\n')

describe('prompts', () => {
  it('give every role the hardware facts of a device named cuda:0, from its properties over the sheet', () => {
    for (const messages of [
      designerMessages(task()),
      coderMessages(task(), { plan: 'p', source: null, feedback: null }),
      fixerMessages(task(), 'x = 1', 'broken'),
    ]) {
      const prompt = text(messages)
      expect(prompt).toContain('- GPU: NVIDIA H200')
      expect(prompt).toContain('- SMs: 132')
      expect(prompt).toContain('- L2 cache: 60 MB')
      expect(prompt).toContain('- Peak DRAM bandwidth: 4800 GB/s')
      expect(prompt).toContain('228 KB per SM')
      expect(prompt).toContain('65536 32-bit per SM')
      expect(prompt).toContain('- PyTorch: 2.11.0')
      expect(prompt).toContain('- Triton: 3.6.0')
    }
  })

  it('state one tuning convention to the Designer and the Coder, and what the tuner does with it', () => {
    const designer = text(designerMessages(task()))
    const coder = text(coderMessages(task(), { plan: null, source: null, feedback: null }))
    for (const prompt of [designer, coder]) {
      expect(prompt).toContain('# akg:tune [')
      expect(prompt).toContain('checks each configuration for correctness before timing it')
      expect(prompt).toContain('Do not wrap kernels in @triton.autotune')
    }
    expect(coder).not.toMatch(/prefer @triton\.autotune/i)
  })

  it('give the precision rule with its reason, the weights and scratch-buffer rules and what counts as your kernels', () => {
    const prompt = text(coderMessages(task(), { plan: null, source: null, feedback: null }))
    expect(prompt).toContain('the reference runs in strict fp32 (TF32 off)')
    expect(prompt).toContain('TF32 tensor-core products keep 10 mantissa bits')
    expect(prompt).toContain('split-K or split-reduction partial results')
    expect(prompt).toContain('an attention score matrix')
    expect(prompt).toContain('keeping results from one call to reuse in the next')
    // Weights: both modules are built after the same seed; the patch loads by name.
    expect(prompt).toContain('with the same random calls in the same order')
    expect(prompt).toContain('the patch loads the model')
    expect(prompt).toContain('@triton.heuristics')
    expect(prompt).toContain('do_not_specialize')
    const cuda = text(coderMessages(task({ dsl: 'cuda_c' }), { plan: null, source: null, feedback: null }))
    expect(cuda).toContain('load_inline')
    expect(cuda).toContain('#ifndef TILE')
  })

  it('say that Triton on the CPU runs under its interpreter, and only there', () => {
    expect(text(designerMessages(task({ device: 'cpu', hardware: null })))).toContain('Triton runs here under its interpreter (TRITON_INTERPRET=1)')
    expect(text(designerMessages(task()))).not.toContain('TRITON_INTERPRET')
    // Nothing is timed under the interpreter: the tuning section says so, and still says how to declare tunables.
    const interpreted = text(coderMessages(task({ device: 'cpu', hardware: null }), { plan: null, source: null, feedback: null }))
    expect(interpreted).toContain('## Tuning\nNothing is timed under the interpreter, so nothing is tuned in this run')
    expect(interpreted).toContain('# akg:tune')
    expect(text(coderMessages(task(), { plan: null, source: null, feedback: null }))).toContain('## Tuning')
    expect(text(designerMessages(task({ dsl: 'cpp', device: 'cpu', hardware: null })))).not.toContain('TRITON_INTERPRET')
  })

  it('leave hardware facts out on the CPU instead of inventing them', () => {
    expect(text(designerMessages(task({ device: 'cpu', hardware: null })))).not.toContain('## Target hardware')
    // The versions still come, alone: what the installed Triton accepts depends on them.
    const cpu = text(designerMessages(task({ device: 'cpu', hardware: null, host: { torch: '2.13.0+cpu', triton: '3.9.0' } })))
    expect(cpu).toContain('Installed: PyTorch 2.13.0+cpu, Triton 3.9.0.')
    // A CPU kernel gets the CPU as the machine reported it; Triton under the interpreter does not need it.
    const reported = { torch: '2.13.0+cpu', triton: null, cpu: { name: 'AMD EPYC', cores: 2, cacheMb: 32, memoryGb: 23.5, simd: ['avx2', 'fma'] } }
    const cppPrompt = text(designerMessages(task({ dsl: 'cpp', device: 'cpu', hardware: null, host: reported })))
    expect(cppPrompt).toContain('## Target hardware (as this machine reports it)\n- CPU: AMD EPYC\n- Cores: 2\n- Vector extensions: avx2, fma')
    expect(text(designerMessages(task({ device: 'cpu', hardware: null, host: reported })))).not.toContain('Vector extensions')
  })

  it('show the Fixer useful error measures, never a relative error blown up by a near-zero reference', () => {
    const verdict = makeVerdict('incorrect')
    verdict.correctness = {
      trials: 5,
      max_abs_error: 0.8125,
      max_rel_error: 4.7e303,
      mismatch_ratio: 0.0312,
      relative_error_norm: 0.0421,
      worst_element: { index: [3, 17], got: 1.5, expected: 0.6875, abs_error: 0.8125 },
    }
    const failure = describeFailure([], verdict)
    expect(failure).toContain('3.12% of elements out of tolerance')
    expect(failure).toContain('max absolute error 0.8125')
    expect(failure).toContain('error norm / reference norm 0.0421')
    expect(failure).toContain('worst element at [3, 17]: got 1.5, expected 0.6875')
    expect(failure).not.toContain('e+303')
  })

  it('lead with the failed check when the task shapes passed and another shape did not', () => {
    const verdict = makeVerdict('incorrect')
    verdict.correctness = { trials: 5, max_abs_error: 1.9e-6, max_rel_error: 1e-6, mismatch_ratio: 0 }
    verdict.checks = [
      { name: 'output_matches_reference', passed: true, detail: '5 trial(s) within tolerance' },
      { name: 'correct_across_shapes', passed: false, detail: 'wrong at another shape: smallest: 32 -> 1' },
    ]
    const failure = describeFailure([], verdict)
    expect(failure).not.toContain('max absolute error')
    expect(failure.indexOf('- correct_across_shapes: wrong at another shape')).toBeGreaterThan(0)
    expect(failure).toContain("At the task's own input shapes the outputs were within tolerance")
    // A wrong output at the task's shapes still shows its numbers.
    verdict.checks[0]!.passed = false
    expect(describeFailure([], verdict)).toContain('max absolute error 1.900e-6')
  })

  it('number the candidate lines in the optimize prompt and carry the diagnosis facts', () => {
    const analysis = {
      bound: 'memory-bound' as const,
      summary: 'bandwidth at 70% of peak.',
      metrics: {},
      facts: ['Line 2 (`y = x`): 61% of stall samples, mostly long scoreboard.'],
    }
    const prompt = text(optimizeMessages(task(), 'import torch\ny = x\n', analysis, 'median 1 ms', []))
    expect(prompt).toContain('2| y = x')
    expect(prompt).toContain('- Line 2 (`y = x`): 61% of stall samples, mostly long scoreboard.')
    expect(prompt).toContain('Profile (Nsight Compute and the roofline, measured on the target)')
  })
})
