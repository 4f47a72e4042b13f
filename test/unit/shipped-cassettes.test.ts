import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Dsl } from '../../agents/ports/index.ts'
import { parseSpace } from '../../agents/tuner/space.ts'
import { repoRoot } from '../helpers/temp-host.ts'

const folders = [join(repoRoot, 'resources', 'cassettes'), join(repoRoot, 'test', 'fixtures', 'cassettes')]

describe('shipped cassettes', () => {
  it('declare akg:tune parameters the tuner accepts in every kernel they answer with', () => {
    let kernels = 0
    for (const folder of folders) {
      for (const file of readdirSync(folder).filter((name) => name.endsWith('.json'))) {
        const dsl = file.split('.').at(-2) === 'migrate' ? file.split('.').at(-3) : file.split('.').at(-2)
        const cassette = JSON.parse(readFileSync(join(folder, file), 'utf8')) as { calls: Array<{ role: string; chunks: string[] }> }
        for (const call of cassette.calls.filter((entry) => entry.role !== 'designer')) {
          const code = /```python\n([\s\S]*?)```/.exec(call.chunks.join(''))?.[1]
          if (!code) continue
          kernels += 1
          // parseSpace throws a DeclarationError (what the Tune view and the optimize workflow show) on a bad declaration.
          expect(() => parseSpace(code, dsl as Dsl), `${file} ${call.role}`).not.toThrow()
        }
      }
    }
    expect(kernels).toBeGreaterThanOrEqual(8)
  })
})
