import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { TaskFolder } from '../../../agents/contract/index.ts'
import { temporaryHost } from '../../../test/helpers/temp-host.ts'
import { dispatch } from '../dispatch.ts'

const context = { transport: 'cli' as const }
const setup = temporaryHost()
const made: string[] = []
afterAll(() => {
  setup.dispose()
  for (const folder of made) rmSync(folder, { recursive: true, force: true })
})
const relu = readFileSync(join(import.meta.dirname, '../../../resources/tasks/level1/19_ReLU.py'), 'utf8')

/** A checkout shaped like KernelBench's: the repository folder, then KernelBench/levelN/N_Name.py. */
function fakeCheckout(): string {
  const checkout = mkdtempSync(join(tmpdir(), 'akg-kernelbench-'))
  made.push(checkout)
  for (const [level, names] of [
    [1, ['1_Square_matmul.py', '10_Matmul_3D.py', '2_Standard_matmul.py']],
    [2, ['1_Conv2D_ReLU.py']],
  ] as const) {
    const folder = join(checkout, 'KernelBench', `level${level}`)
    mkdirSync(folder, { recursive: true })
    for (const name of names) writeFileSync(join(folder, name), relu)
  }
  writeFileSync(join(checkout, 'KernelBench', 'level1', '__init__.py'), '')
  writeFileSync(join(checkout, 'README.md'), '# KernelBench\n')
  return checkout
}

describe('opening a KernelBench checkout as a folder', () => {
  it('lists its levels and problems in numeric order, and remembers the folder', async () => {
    const checkout = fakeCheckout()
    const result = await dispatch(setup.handlers, 'tasks.openFolder', { path: checkout }, context)
    if (!result.ok) throw new Error(result.error.message)
    const folder = result.data as TaskFolder
    expect(folder.taskCount).toBe(4)
    expect(folder.levels.map((group) => group.level)).toEqual([1, 2])
    expect(folder.levels[0]?.tasks.map((task) => task.name)).toEqual(['1_Square_matmul', '2_Standard_matmul', '10_Matmul_3D'])
    expect(folder.levels[0]?.tasks[0]).toMatchObject({ source: 'folder', level: 1, folder: checkout })

    const again = await dispatch(setup.handlers, 'tasks.folders', {}, context)
    expect(again.ok && (again.data as TaskFolder[]).map((item) => item.path)).toEqual([checkout])
    const task = folder.levels[1]?.tasks[0]
    const read = await dispatch(setup.handlers, 'tasks.read', { id: task?.id }, context)
    expect(read.ok && (read.data as { content: string }).content).toContain('class Model')
  })

  it('says what a task folder should hold when it holds no tasks', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'akg-empty-'))
    made.push(empty)
    const result = await dispatch(setup.handlers, 'tasks.openFolder', { path: empty }, context)
    expect(result).toMatchObject({ ok: false, error: { code: 'FOLDER_INVALID' } })
    if (!result.ok) expect(result.error.message).toContain('level1/')
  })

  it('tells a missing folder from a file', async () => {
    const missing = await dispatch(setup.handlers, 'tasks.openFolder', { path: join(tmpdir(), 'akg-no-such-folder') }, context)
    expect(missing).toMatchObject({ ok: false, error: { code: 'FOLDER_NOT_FOUND' } })
    const file = join(fakeCheckout(), 'README.md')
    const refused = await dispatch(setup.handlers, 'tasks.openFolder', { path: file }, context)
    expect(refused).toMatchObject({ ok: false, error: { code: 'FOLDER_INVALID' } })
  })
})
