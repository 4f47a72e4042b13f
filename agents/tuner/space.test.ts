import { describe, expect, it } from 'vitest'
import { DeclarationError } from './literals.ts'
import { applyConfiguration, defaultConfiguration, enumerateSpace, parseSpace, spaceSize } from './space.ts'

const triton = `import torch
import triton
import triton.language as tl

BLOCK_SIZE = 1024  # akg:tune [128, 256, 512, 1024, 2048]
NUM_WARPS = 4  # akg:tune [1, 2, 4, 8]
EVICTION: str = 'evict_last'  # akg:tune ['evict_first', 'evict_last']
# akg:constraint BLOCK_SIZE // (32 * NUM_WARPS) >= 1

@triton.jit
def relu_kernel(x, y, n, BLOCK_SIZE: tl.constexpr):
    pass
`

const cpp = `source = r"""
#ifndef TILE
#define TILE 32  // akg:tune [8, 16, 32, 64]
#endif
#if !defined(SCHEDULE)
#define SCHEDULE static  // akg:tune [static, dynamic, guided]
#endif
#ifndef UNROLL_INNER

#define UNROLL_INNER true  // akg:tune [true, false]
#endif
#pragma omp parallel for schedule(SCHEDULE)
"""
`

const autotune = `@triton.autotune(
    configs=[
        triton.Config({'BLOCK_M': 64, 'BLOCK_N': 64}, num_warps=4, num_stages=3),
        triton.Config({'BLOCK_M': 128, 'BLOCK_N': 64}, num_warps=8, num_stages=3),
        triton.Config({'BLOCK_M': 128, 'BLOCK_N': 128}, num_warps=8, num_stages=4),
    ],
    key=['M', 'N'],
)
@triton.jit
def kernel(a, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    pass
`

describe('declared tunables', () => {
  it('reads Python assignments with their lists, defaults and constraints', () => {
    const space = parseSpace(triton, 'triton')
    expect(space.parameters.map((parameter) => [parameter.name, parameter.values, parameter.default, parameter.line])).toEqual([
      ['BLOCK_SIZE', [128, 256, 512, 1024, 2048], 1024, 5],
      ['NUM_WARPS', [1, 2, 4, 8], 4, 6],
      ['EVICTION', ['evict_first', 'evict_last'], 'evict_last', 7],
    ])
    expect(space.constraints).toEqual([{ expression: 'BLOCK_SIZE // (32 * NUM_WARPS) >= 1', line: 8 }])
    expect(spaceSize(space)).toBe(40)
    expect(enumerateSpace(space)).toHaveLength(40)
  })

  it('rewrites only the declared values, keeping the declarations so the result can be tuned again', () => {
    const space = parseSpace(triton, 'triton')
    const rewritten = applyConfiguration(triton, space, { BLOCK_SIZE: 256, NUM_WARPS: 2, EVICTION: 'evict_first' })
    expect(rewritten).toContain('BLOCK_SIZE = 256  # akg:tune [128, 256, 512, 1024, 2048]')
    expect(rewritten).toContain('NUM_WARPS = 2  # akg:tune [1, 2, 4, 8]')
    expect(rewritten).toContain(`EVICTION: str = "evict_first"  # akg:tune ['evict_first', 'evict_last']`)
    expect(defaultConfiguration(parseSpace(rewritten, 'triton'))).toEqual({ BLOCK_SIZE: 256, NUM_WARPS: 2, EVICTION: 'evict_first' })
  })

  it('reads C macros inside a Python string, words and booleans included', () => {
    const space = parseSpace(cpp, 'cpp')
    expect(space.parameters.map((parameter) => [parameter.name, parameter.values, parameter.kind])).toEqual([
      ['TILE', [8, 16, 32, 64], 'c-define'],
      ['SCHEDULE', ['static', 'dynamic', 'guided'], 'c-define'],
      ['UNROLL_INNER', [true, false], 'c-define'],
    ])
    const rewritten = applyConfiguration(cpp, space, { TILE: 16, SCHEDULE: 'guided', UNROLL_INNER: false })
    expect(rewritten).toContain('#define TILE 16  // akg:tune [8, 16, 32, 64]')
    expect(rewritten).toContain('#define SCHEDULE guided  // akg:tune')
    expect(rewritten).toContain('#define UNROLL_INNER 0  // akg:tune')
  })

  it('takes an existing @triton.autotune configs list as the space and pins the chosen config', () => {
    const space = parseSpace(autotune, 'triton')
    expect(space.declaredBy).toBe('triton-autotune')
    expect(enumerateSpace(space)).toEqual([
      { BLOCK_M: 64, BLOCK_N: 64, num_warps: 4, num_stages: 3 },
      { BLOCK_M: 128, BLOCK_N: 64, num_warps: 8, num_stages: 3 },
      { BLOCK_M: 128, BLOCK_N: 128, num_warps: 8, num_stages: 4 },
    ])
    const pinned = applyConfiguration(autotune, space, { BLOCK_M: 128, BLOCK_N: 64, num_warps: 8, num_stages: 3 })
    expect(pinned).toContain('configs=[triton.Config({"BLOCK_M": 128, "BLOCK_N": 64}, num_warps=8, num_stages=3)],')
    expect(pinned).not.toContain("'BLOCK_M': 64")
    expect(enumerateSpace(parseSpace(pinned, 'triton'))).toEqual([{ BLOCK_M: 128, BLOCK_N: 64, num_warps: 8, num_stages: 3 }])
  })

  it('reads the harness dictionary form: constants, guarded macros and launch options', () => {
    const source = `BLOCK = 128\nsource = """\n#ifndef TILE\n#define TILE 8\n#endif\n"""\nTUNABLES = {\n    "BLOCK": [64, 128],\n    'TILE': [8, 16],\n    "num_warps": [4, 8],\n}\nkernel[grid](x, BLOCK=BLOCK, num_warps=4)\n`
    const space = parseSpace(source, 'triton')
    expect(space.parameters.map((parameter) => [parameter.name, parameter.kind, parameter.default])).toEqual([
      ['BLOCK', 'python-assignment', 128],
      ['TILE', 'c-define', 8],
      ['num_warps', 'launch-option', 4],
    ])
    const applied = applyConfiguration(source, space, { BLOCK: 64, TILE: 16, num_warps: 8 })
    expect(applied).toContain('BLOCK = 64\n')
    expect(applied).toContain('#define TILE 16\n')
    expect(applied).toContain('kernel[grid](x, BLOCK=BLOCK, num_warps=8)')
    expect(() => parseSpace('TUNABLES = {"WHAT": [1, 2]}\n', 'triton')).toThrow(/TUNABLES names WHAT, which is not a top-level constant/)
  })

  it('names the line of a malformed declaration', () => {
    expect(() => parseSpace('#define TILE 8  // akg:tune [8, 16]\n', 'cpp')).toThrow(/line 1: wrap #define TILE in #ifndef TILE/)
    expect(() => parseSpace('class A:\n    B = 1  # akg:tune [1, 2]\n', 'triton')).toThrow(/line 2: B must be a top-level constant/)
    expect(() => parseSpace('x = 1\nBLOCK = 64  # akg:tune [64, 64]\n', 'triton')).toThrow(/line 2: the value 64 is listed twice/)
    expect(() => parseSpace('BLOCK = 64  # akg:tune 64, 128\n', 'triton')).toThrow(/line 1: expected a list of values/)
    expect(() => parseSpace('# akg:tune BLOCK [1, 2]\n', 'triton')).toThrow(DeclarationError)
    expect(() => parseSpace('A = 1  # akg:tune [1, 2]\nA = 2  # akg:tune [1, 2]\n', 'triton')).toThrow(/declared twice/)
    expect(() => parseSpace('@triton.autotune(configs=[triton.Config(c) for c in space], key=[])\n', 'triton')).toThrow(/literal triton.Config/)
  })

  it('refuses a configuration naming a tunable the candidate does not declare', () => {
    expect(() => applyConfiguration(triton, parseSpace(triton, 'triton'), { BLOCK: 1 })).toThrow(/no tunable named BLOCK/)
  })
})
