import { describe, expect, it } from 'vitest'
import {
  classifyOperators,
  createKnowledgeSelector,
  hardwareFromDeviceName,
  KnowledgeDocumentError,
  knowledgeDsls,
  loadKnowledge,
  operatorPatternsOf,
  parseKnowledgeDocument,
  selectKnowledge,
  type KnowledgeFile,
  type KnowledgeSource,
} from './index.ts'

const body = 'Use masks on every load and store that can fall past the end of the tensor; fill with the identity.\n'.repeat(3)

function document(fields: Record<string, string>, text = body): string {
  return `---\n${Object.entries(fields)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n')}\n---\n${text}`
}

const base = { id: 'sample-doc', title: 'A sample document', dsl: 'triton', hardware: 'any', operators: 'any', stage: '[initial, debug]' }

class MemorySource implements KnowledgeSource {
  constructor(private readonly files: Record<string, { text: string; origin?: 'shipped' | 'user' }>) {}
  async list(): Promise<KnowledgeFile[]> {
    return Object.entries(this.files).map(([file, entry]) => ({ file, origin: entry.origin ?? 'shipped' }))
  }
  async read(entry: KnowledgeFile): Promise<string> {
    return this.files[entry.file]!.text
  }
}

describe('knowledge documents', () => {
  it('parses front matter into normalised metadata and counts the body in tokens', () => {
    const parsed = parseKnowledgeDocument(document({ ...base, title: '"Triton: masks" # comment', priority: '80' }), 'triton/masks.md')
    expect(parsed).toMatchObject({
      id: 'sample-doc',
      title: 'Triton: masks',
      dsl: ['triton'],
      stage: ['initial', 'debug'],
      priority: 80,
      file: 'triton/masks.md',
    })
    expect(parsed.tokenCount).toBe(Math.ceil(body.trim().length / 3.5))
  })

  it('names the file, the field and its line when a value is not allowed', () => {
    const text = document({ ...base, stage: '[initial, optimise]' })
    expect(() => parseKnowledgeDocument(text, 'user/my-notes.md')).toThrow(KnowledgeDocumentError)
    try {
      parseKnowledgeDocument(text, 'user/my-notes.md')
    } catch (error) {
      const problem = error as KnowledgeDocumentError
      expect(problem.file).toBe('user/my-notes.md')
      expect(problem.field).toBe('stage')
      expect(problem.line).toBe(7)
      expect(problem.message).toBe(
        'user/my-notes.md (line 7, field "stage"): "optimise" is not allowed; use one of initial, debug, optimize, or a list of them like [initial, debug].',
      )
    }
  })

  it('reports a misspelt field, a missing field and a missing front matter in words that say what to write', () => {
    expect(() => parseKnowledgeDocument(document({ ...base, operator: 'softmax' }), 'a.md')).toThrow(
      'a.md (line 8, field "operator"): unknown field "operator"',
    )
    const { title: _title, ...withoutTitle } = base
    expect(() => parseKnowledgeDocument(document(withoutTitle), 'b.md')).toThrow('b.md (field "title"): the field is required.')
    expect(() => parseKnowledgeDocument(`# Just markdown\n${body}`, 'c.md')).toThrow('c.md (line 1): a knowledge document starts with a front matter block')
    expect(() => parseKnowledgeDocument(document({ ...base, dsl: '[triton, cuda]' }), 'd.md')).toThrow(
      `"cuda" is not allowed; use one of ${knowledgeDsls.join(', ')}`,
    )
    expect(() => parseKnowledgeDocument(document(base, 'too short'), 'e.md')).toThrow('e.md (line 9): the body after the front matter is 9 characters')
  })

  it('keeps loading the other documents when one is malformed, and lets a user document replace a shipped one', async () => {
    const library = await loadKnowledge(
      new MemorySource({
        'triton/a.md': { text: document(base) },
        'triton/b.md': { text: document({ ...base, id: 'other-doc', priority: 'high' }) },
        'user/a.md': { text: document({ ...base, title: 'My own version' }), origin: 'user' },
      }),
    )
    expect(library.documents.map((entry) => [entry.id, entry.title, entry.origin])).toEqual([['sample-doc', 'My own version', 'user']])
    expect(library.problems).toEqual([
      { file: 'triton/b.md', origin: 'shipped', message: 'triton/b.md (line 8, field "priority"): expected number, found "high".' },
    ])
  })
})

describe('operator classification', () => {
  it('reads matmul, epilogues, softmax, norms, conv and reductions from reference code, ignoring docstrings and get_inputs', () => {
    const source = [
      'class Model(nn.Module):',
      '    """Computes a matrix multiplication, then a softmax."""',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.conv = nn.Conv2d(3, 16, 3)',
      '        self.norm = nn.GroupNorm(4, 16)',
      '    def forward(self, x):',
      '        x = self.norm(self.conv(x))',
      '        return torch.mean(x, dim=[2, 3]) * 2.0',
      '',
      'def get_inputs():',
      '    return [torch.randn(2, 3, 8, 8) @ torch.randn(8, 8)]',
    ].join('\n')
    const patterns = classifyOperators(source).map((entry) => entry.pattern)
    expect(patterns).toEqual(['conv', 'fused-epilogue', 'norm', 'reduction', 'elementwise'])
  })

  it('reads the aten spellings of tasks cut from a model', () => {
    const task = (...lines: string[]) => ['class Model(nn.Module):', '    def forward(self, x0, x1):', ...lines.map((line) => `        ${line}`)].join('\n')
    const linear = task(
      'v0 = torch.ops.aten.linear.default(x0, self.w, self.b)',
      'v1 = torch.ops.aten.view.default(v0, [256, 32, 1024])',
      'v2 = torch.ops.aten.add.Tensor(x1, v1)',
      'v3 = torch.ops.aten.layer_norm.default(v2, [1024], self.g, self.beta, 1e-05, False)',
      'return v3',
    )
    expect(operatorPatternsOf(linear)).toEqual(['matmul', 'fused-epilogue', 'norm', 'reduction', 'elementwise'])
    const conv = task(
      'v0 = torch.ops.aten.conv2d.default(x0, self.w, None, [1, 1], [1, 1])',
      'v1 = torch.ops.aten._native_batch_norm_legit_no_training.default(v0, self.g, self.b, self.m, self.v, 0.1, 1e-05)',
      'v2 = torch.ops.aten.relu_.default(v1)',
      'return v2',
    )
    expect(operatorPatternsOf(conv)).toEqual(['conv', 'fused-epilogue', 'norm', 'reduction', 'elementwise'])
    // groups by position (the seventh argument): a depthwise convolution, not a dense one.
    const depthwise = task('return torch.ops.aten.conv2d.default(x0, self.w, None, [1, 1], [1, 1], [1, 1], 32)')
    expect(operatorPatternsOf(depthwise)).toEqual(['grouped-conv'])
    expect(operatorPatternsOf(task('return torch.ops.aten._softmax.default(x0, -1, False)'))).toEqual(['softmax', 'reduction'])
    expect(operatorPatternsOf(task('return torch.ops.aten.max_pool2d_with_indices.default(x0, [3, 3], [2, 2])'))).toEqual(['pooling'])
    expect(operatorPatternsOf(task('return torch.ops.aten.scaled_dot_product_attention.default(x0, x1, x1)'))[0]).toBe('attention')
  })

  it('recognises hand-written attention from two matmuls around a softmax', () => {
    const source = 'class Model(nn.Module):\n    def forward(self, q, k, v):\n        return torch.softmax(q @ k.transpose(-2, -1), dim=-1) @ v\n'
    expect(classifyOperators(source)[0]).toEqual({ pattern: 'attention', evidence: ['two matmuls around a softmax'] })
  })
})

describe('selection', () => {
  const documents = [
    parseKnowledgeDocument(document({ ...base, id: 'api', stage: '[initial, debug, optimize]', priority: '90' }), 'api.md'),
    parseKnowledgeDocument(document({ ...base, id: 'softmax', operators: '[softmax, reduction]', stage: '[initial, optimize]', priority: '75' }), 'softmax.md'),
    parseKnowledgeDocument(document({ ...base, id: 'matmul', operators: 'matmul', stage: '[initial, optimize]' }), 'matmul.md'),
    parseKnowledgeDocument(document({ ...base, id: 'cuda', dsl: 'cuda_c' }), 'cuda.md'),
    parseKnowledgeDocument(document({ ...base, id: 'hopper', dsl: 'any', hardware: 'hopper', stage: 'optimize' }), 'hopper.md'),
    parseKnowledgeDocument(document({ ...base, id: 'a100', dsl: 'any', hardware: 'a100', stage: 'optimize' }), 'a100.md'),
  ]

  it('keeps only documents whose dsl, stage, hardware family and operators fit, with the reasons', () => {
    const selection = selectKnowledge(documents, {
      dsl: 'triton',
      hardware: 'h200',
      stage: 'optimize',
      operators: ['softmax', 'reduction'],
      tokenBudget: 10_000,
    })
    expect(selection.selected.map((entry) => entry.document.id)).toEqual(['softmax', 'api', 'hopper'])
    expect(selection.selected[0]!.reasons).toEqual(['written for triton', "covers the task's softmax, reduction"])
    expect(selection.selected[2]!.reasons).toEqual(['written for the optimize stage', 'about hopper, which includes h200'])
  })

  it('never exceeds the token budget and says what it left out', () => {
    const each = documents[0]!.tokenCount
    const selection = selectKnowledge(documents, { dsl: 'triton', hardware: 'h100', stage: 'optimize', operators: ['softmax'], tokenBudget: each * 2 })
    expect(selection.tokens).toBeLessThanOrEqual(each * 2)
    expect(selection.selected.map((entry) => entry.document.id)).toEqual(['softmax', 'api'])
    expect(selection.skipped).toEqual([{ id: 'hopper', tokenCount: each, reason: `needs ${each} tokens; 0 of the ${each * 2}-token budget were left` }])
  })

  it('maps device names and run devices to sheets, and serves the agent loop its snippets', async () => {
    expect(hardwareFromDeviceName('NVIDIA H100 80GB HBM3')).toBe('h100')
    expect(hardwareFromDeviceName('NVIDIA A100-SXM4-80GB')).toBe('a100')
    expect(hardwareFromDeviceName('Ascend910B2')).toBe('ascend910b')
    expect(hardwareFromDeviceName('NVIDIA GeForce RTX 4090')).toBeNull()
    const select = createKnowledgeSelector({ library: () => ({ documents, problems: [] }), hardwareOf: () => 'a100' })
    const snippets = await select({
      dsl: 'triton',
      device: 'cuda:0',
      stage: 'optimize',
      taskSource: 'class Model(nn.Module):\n    def forward(self, a, b):\n        return torch.matmul(a, b)\n',
    })
    expect(snippets.map((snippet) => snippet.id)).toEqual(['api', 'matmul', 'a100'])
    expect(snippets[1]!.body).toContain('Use masks')
  })
})
