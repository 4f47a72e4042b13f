import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FileRunStore } from './run-files.ts'

let folder = ''
afterEach(() => rmSync(folder, { recursive: true, force: true }))

describe('artifact writes', () => {
  it('leave no temporary file behind when the write fails', async () => {
    folder = mkdtempSync(join(tmpdir(), 'akg-run-'))
    const store = new FileRunStore(folder)
    // A folder where the file should go makes the final rename fail after the temporary file was written.
    mkdirSync(join(folder, 'candidates', 'c0001', 'answer.md'), { recursive: true })
    await expect(store.writeArtifact('candidates/c0001/answer.md', 'text')).rejects.toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) })
    expect(readdirSync(join(folder, 'candidates', 'c0001'))).toEqual(['answer.md'])
  })
})
