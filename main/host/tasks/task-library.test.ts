import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { temporaryHost } from '../../../test/helpers/temp-host.ts'
import { dispatch } from '../dispatch.ts'

const context = { transport: 'cli' as const }
const setup = temporaryHost()
afterAll(() => setup.dispose())
const files = mkdtempSync(join(tmpdir(), 'akg-tasks-'))

describe('task library', () => {
  it('lists the shipped KernelBench samples with their levels', async () => {
    const result = await dispatch(setup.handlers, 'tasks.list', {}, context)
    if (!result.ok) throw new Error(result.error.message)
    const relu = (result.data as Array<{ id: string; level: number | null }>).find((task) => task.id === 'sample:level1/19_ReLU.py')
    expect(relu).toMatchObject({ level: 1 })
  })

  it('reads a task with its source and the shape constants, without running it', async () => {
    const result = await dispatch(setup.handlers, 'tasks.read', { id: 'sample:level1/47_Sum_reduction_over_a_dimension.py' }, context)
    if (!result.ok) throw new Error(result.error.message)
    const detail = result.data as { content: string; outline: { hasModel: boolean; constants: Record<string, string>; problems: string[] } }
    expect(detail.content).toContain('class Model')
    expect(detail.outline).toMatchObject({ hasModel: true, problems: [] })
    expect(detail.outline.constants).toMatchObject({ batch_size: '16', reduce_dim: '1' })
  })

  it('refuses to open a Python file that is not a task, saying what is missing', async () => {
    const path = join(files, 'not_a_task.py')
    writeFileSync(path, 'print("hello")\n')
    const result = await dispatch(setup.handlers, 'tasks.open', { path }, context)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('TASK_INVALID')
    expect(result.error.message).toContain('class Model')
    expect(result.error.message).toContain('get_inputs')
  })

  it('says plainly when a task file does not exist', async () => {
    const result = await dispatch(setup.handlers, 'tasks.read', { path: join(files, 'missing.py') }, context)
    expect(result).toMatchObject({ ok: false, error: { code: 'TASK_NOT_FOUND' } })
  })

  it('does not escape the samples folder through an id', async () => {
    const result = await dispatch(setup.handlers, 'tasks.read', { id: 'sample:../../package.json' }, context)
    expect(result).toMatchObject({ ok: false, error: { code: 'TASK_NOT_FOUND' } })
  })

  it('remembers an opened task across hosts, in settings on disk', async () => {
    const path = join(files, 'my_task.py')
    writeFileSync(path, readFileSync(join(import.meta.dirname, '../../../resources/tasks/level1/19_ReLU.py')))
    const opened = await dispatch(setup.handlers, 'tasks.open', { path }, context)
    expect(opened.ok).toBe(true)
    const settings = JSON.parse(readFileSync(join(setup.dataDir, 'settings.json'), 'utf8')) as { openedTasks: string[] }
    expect(settings.openedTasks).toEqual([path])
    const listed = await dispatch(setup.handlers, 'tasks.list', {}, context)
    expect(listed.ok && (listed.data as Array<{ path: string; source: string }>).some((task) => task.path === path && task.source === 'opened')).toBe(true)
  })
})
