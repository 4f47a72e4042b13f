import { describe, expect, it } from 'vitest'
import { abRows, topWithRest } from './model-data.ts'

describe('model view data', () => {
  it('keeps the largest bars and sums the rest as "other"', () => {
    const ops = [
      { op: 'addmm', ms: 3 },
      { op: 'gelu', ms: 0.5 },
      { op: 'layer_norm', ms: 1 },
      { op: 'add', ms: 0.25 },
    ]
    expect(
      topWithRest(
        ops,
        (op) => op.ms,
        (op) => op.op,
        2,
      ),
    ).toEqual([
      { label: 'addmm', ms: 3 },
      { label: 'layer_norm', ms: 1 },
      { label: 'other', ms: 0.75 },
    ])
    expect(
      topWithRest(
        ops,
        (op) => op.ms,
        (op) => op.op,
        10,
      ),
    ).toHaveLength(4)
  })

  it('orders the A/B sides the same way whatever order the harness wrote them in', () => {
    const rows = abRows({ inputs: [[2, 8]], batch: 2, speedups: {}, sides: { patched: { median_ms: 1 }, graph: { median_ms: 3 }, eager: { median_ms: 2 } } })
    expect(rows.map((row) => row.label)).toEqual(['eager', 'captured graph (unpatched)', 'patched eager'])
  })
})
