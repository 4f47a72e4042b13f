import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { classifyOperators, knowledgeDsls, selectKnowledge } from '../../../agents/knowledge/index.ts'
import { repoRoot } from '../../../test/helpers/temp-host.ts'
import { createHostKnowledge, FolderKnowledgeSource, hostKnowledgeSelector, KnowledgeService } from './index.ts'

const resources = join(repoRoot, 'resources')
const shipped = createHostKnowledge({ resources, dataDir: join(tmpdir(), 'akg-knowledge-absent') })
const userData = mkdtempSync(join(tmpdir(), 'akg-knowledge-'))
afterAll(() => rmSync(userData, { recursive: true, force: true }))
const task = (name: string) => readFileSync(join(resources, 'tasks', name), 'utf8')

describe('shipped knowledge', () => {
  it('every shipped document parses and validates, with unique ids', async () => {
    const library = await shipped.load()
    expect(library.problems).toEqual([])
    expect(library.documents.length).toBeGreaterThanOrEqual(25)
    for (const dsl of knowledgeDsls.filter((name) => name !== 'any')) {
      for (const stage of ['initial', 'debug', 'optimize'] as const) {
        const covering = library.documents.filter((document) => document.dsl.includes(dsl) && document.stage.includes(stage))
        expect(covering.length, `${dsl} has a document for the ${stage} stage`).toBeGreaterThan(0)
      }
    }
    for (const sheet of ['h100', 'h200', 'a100', 'ascend910b'] as const) {
      expect(
        library.documents.some((document) => document.hardware.includes(sheet)),
        `a sheet for ${sheet}`,
      ).toBe(true)
    }
  })

  it('picks the Triton API, reduction, optimize and H100 documents for a softmax task on H100 at the optimize stage', async () => {
    const library = await shipped.load()
    const selection = selectKnowledge(library.documents, {
      dsl: 'triton',
      hardware: 'h100',
      stage: 'optimize',
      source: task('level1/23_Softmax.py'),
      tokenBudget: 6000,
    })
    const ids = selection.selected.map((entry) => entry.document.id)
    expect(ids).toEqual(expect.arrayContaining(['triton-reduction-softmax', 'triton-api', 'triton-optimize', 'hardware-h100']))
    expect(ids[0]).toBe('triton-reduction-softmax')
    expect(selection.tokens).toBeLessThanOrEqual(6000)
    for (const entry of selection.selected) {
      expect(entry.document.dsl.some((dsl) => dsl === 'triton' || dsl === 'any')).toBe(true)
      expect(entry.document.id).not.toMatch(/matmul|cuda|cpp|tilelang|a100|h200|ascend/)
    }

    const tight = selectKnowledge(library.documents, {
      dsl: 'triton',
      hardware: 'h100',
      stage: 'optimize',
      source: task('level1/23_Softmax.py'),
      tokenBudget: 2500,
    })
    expect(tight.tokens).toBeLessThanOrEqual(2500)
    expect(tight.selected[0]!.document.id).toBe('triton-reduction-softmax')
    expect(tight.skipped.length).toBeGreaterThan(0)
  })

  it('classifies the sample tasks', () => {
    const patterns = (name: string) => classifyOperators(task(name)).map((entry) => entry.pattern)
    expect(patterns('level1/19_ReLU.py')).toEqual(['elementwise'])
    expect(patterns('level1/1_Square_matrix_multiplication_.py')).toEqual(['matmul'])
    expect(patterns('level1/23_Softmax.py')).toEqual(['softmax', 'reduction'])
    expect(patterns('level1/47_Sum_reduction_over_a_dimension.py')).toEqual(['reduction'])
    expect(patterns('level2/12_Gemm_Multiply_LeakyReLU.py')).toEqual(['matmul', 'fused-epilogue', 'elementwise'])
  })
})

describe('user knowledge folder', () => {
  it('adds the user documents, reports a malformed one by file and field, and the selector maps cuda:0 to its sheet', async () => {
    const folder = join(userData, 'knowledge', 'mine')
    mkdirSync(folder, { recursive: true })
    writeFileSync(
      join(folder, 'house-rules.md'),
      '---\nid: house-rules\ntitle: Our house rules for Triton\ndsl: triton\nhardware: any\noperators: any\nstage: [initial, optimize]\npriority: 99\n---\nAlways name the block size BLOCK and keep num_warps at 4 unless a measurement says otherwise.\n',
    )
    writeFileSync(
      join(folder, 'broken.md'),
      '---\nid: broken\ntitle: Broken\ndsl: triton\nhardware: h100x\noperators: any\nstage: initial\n---\nThis document has a hardware value that does not exist, so it must be reported.\n',
    )
    const service = new KnowledgeService(new FolderKnowledgeSource({ shipped: join(resources, 'knowledge'), user: join(userData, 'knowledge') }))
    const library = await service.load()
    expect(library.problems).toEqual([expect.objectContaining({ file: 'user/mine/broken.md', origin: 'user' })])
    expect(library.problems[0]!.message).toContain('user/mine/broken.md (line 5, field "hardware"): "h100x" is not allowed')

    const select = hostKnowledgeSelector(service, async () => [{ kind: 'cuda', index: 0, name: 'NVIDIA H100 80GB HBM3', memory_gb: 80, capability: '9.0' }])
    const snippets = await select({ dsl: 'triton', device: 'cuda:0', stage: 'initial', taskSource: task('level1/19_ReLU.py') })
    expect(snippets.map((snippet) => snippet.id)).toEqual(expect.arrayContaining(['house-rules', 'triton-elementwise', 'hardware-h100']))
  })
})

describe('shipped knowledge by operator class', () => {
  const shipped = () =>
    hostKnowledgeSelector(
      new KnowledgeService(new FolderKnowledgeSource({ shipped: join(resources, 'knowledge'), user: join(tmpdir(), 'akg-no-user-knowledge') })),
      async () => [],
    )
  const model = (body: string, init = '') =>
    `import torch\nimport torch.nn as nn\n\nclass Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n${init}\n    def forward(self, x):\n${body}\n`

  it('gives max pooling the pooling notes', async () => {
    const ids = (
      await shipped()({
        dsl: 'triton',
        device: 'cpu',
        stage: 'initial',
        taskSource: model('        return self.pool(x)', '        self.pool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)'),
      })
    ).map((snippet) => snippet.id)
    expect(ids).toContain('pooling-stencil')
  })

  it('gives a depthwise convolution the depthwise notes and not the implicit-GEMM ones', async () => {
    const ids = (
      await shipped()({
        dsl: 'triton',
        device: 'cpu',
        stage: 'initial',
        taskSource: model('        return self.conv(x)', '        self.conv = nn.Conv2d(64, 64, kernel_size=3, padding=1, groups=64, bias=False)'),
      })
    ).map((snippet) => snippet.id)
    expect(ids).toContain('depthwise-grouped-conv')
    expect(ids).not.toContain('triton-matmul')
  })

  it('gives attention and scans their own notes', async () => {
    const attention = await shipped()({
      dsl: 'cuda_c',
      device: 'cpu',
      stage: 'optimize',
      taskSource: model('        return torch.nn.functional.scaled_dot_product_attention(x, x, x)'),
    })
    expect(attention.map((snippet) => snippet.id)).toContain('attention-large-head')
    const scan = await shipped()({ dsl: 'triton', device: 'cpu', stage: 'initial', taskSource: model('        return torch.cumsum(x, dim=1)') })
    expect(scan.map((snippet) => snippet.id)).toContain('scan')
  })

  it('sends no note that asks the model to run code it cannot run', async () => {
    for (const stage of ['initial', 'debug', 'optimize'] as const) {
      const snippets = await shipped()({ dsl: 'triton', device: 'cuda:0', stage, taskSource: model('        return torch.relu(x)') })
      for (const snippet of snippets) expect(snippet.body, snippet.id).not.toMatch(/TRITON_INTERPRET=1|tl\.device_print|prefer `?@triton\.autotune/)
    }
  })
})
