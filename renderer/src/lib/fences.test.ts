import { describe, expect, it } from 'vitest'
import { splitFences } from './fences.ts'

describe('agent stream fences', () => {
  it('splits prose from fenced code, and keeps a fence still streaming open', () => {
    expect(splitFences('Plan first.\n```python\nimport torch\n```\nDone.')).toEqual([
      { kind: 'text', text: 'Plan first.\n' },
      { kind: 'code', language: 'python', code: 'import torch', open: false },
      { kind: 'text', text: 'Done.' },
    ])
    expect(splitFences('Here:\n```cpp\nint main(')).toEqual([
      { kind: 'text', text: 'Here:\n' },
      { kind: 'code', language: 'cpp', code: 'int main(', open: true },
    ])
    expect(splitFences('no code at all')).toEqual([{ kind: 'text', text: 'no code at all' }])
  })
})
