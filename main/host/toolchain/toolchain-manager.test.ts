import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { repoRoot, temporaryHost } from '../../../test/helpers/temp-host.ts'
import { findInterpreters } from './environments.ts'

const projectPython = join(repoRoot, '.venv', 'bin', 'python')

describe('toolchain environments', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  it('finds the project venv, conda environments and added interpreters, each once', () => {
    const home = mkdtempSync(join(tmpdir(), 'akg-home-'))
    cleanups.push(() => rmSync(home, { recursive: true, force: true }))
    const condaBin = join(home, 'miniconda3', 'envs', 'kernels', 'bin')
    mkdirSync(condaBin, { recursive: true })
    symlinkSync(projectPython, join(condaBin, 'python'))
    const found = findInterpreters(repoRoot, [projectPython], home)
    expect(found.find((entry) => entry.source === 'project venv')?.python).toBe(projectPython)
    expect(found.find((entry) => entry.source === 'conda')?.prefix).toBe(join(home, 'miniconda3', 'envs', 'kernels'))
    // The added path is the project venv's python: listed once, under its first source.
    expect(found.filter((entry) => entry.python === projectPython)).toHaveLength(1)
  })

  it('adds and selects an interpreter through the routes, persists it, and refuses a path that is not Python', async () => {
    const context = temporaryHost()
    cleanups.push(() => context.dispose())
    const missing = await context.handlers['toolchain.add']({ python: '/nowhere/bin/python' }, { transport: 'cli' }).catch((error) => error)
    expect(missing).toMatchObject({ code: 'TOOLCHAIN_NOT_FOUND' })
    const selected = await context.handlers['toolchain.select']({ python: projectPython }, { transport: 'cli' })
    expect(selected.selected).toBe(projectPython)
    expect(selected.environments.find((entry) => entry.selected)?.python).toBe(projectPython)
    const saved = JSON.parse(readFileSync(join(context.dataDir, 'settings.json'), 'utf8'))
    expect(saved.python).toBe(projectPython)
  })
})
