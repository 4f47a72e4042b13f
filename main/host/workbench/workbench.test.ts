import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunSpec } from '../../../agents/contract/index.ts'
import { repoRoot, temporaryHost } from '../../../test/helpers/temp-host.ts'
import { resolveRunModels } from '../runs/run-models.ts'
import { pythonOnPath } from './path-check.ts'

const cli = { transport: 'cli' as const }

describe('workbench routes', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  it('browses only the data folder, the samples and opened folders, refusing .., symlinks and other paths', async () => {
    const context = temporaryHost()
    cleanups.push(() => context.dispose())
    const outside = mkdtempSync(join(tmpdir(), 'akg-outside-'))
    cleanups.push(() => rmSync(outside, { recursive: true, force: true }))
    writeFileSync(join(outside, 'secret.py'), 'x = 1\n')
    const browse = (path?: string) => context.handlers['files.list'](path ? { path } : {}, cli)

    const home = await browse()
    expect(home.path).toBe(context.dataDir)
    expect(home.roots.map((root) => root.label)).toEqual(['Data folder', 'Sample tasks', 'Sample cassettes'])

    const samples = await browse(join(repoRoot, 'resources', 'tasks', 'level1'))
    expect(samples.entries.map((entry) => entry.name)).toContain('19_ReLU.py')
    expect(samples.parent).toBe(join(repoRoot, 'resources', 'tasks'))

    await expect(browse(outside)).rejects.toMatchObject({ code: 'FILES_OUTSIDE_ROOTS' })
    await expect(browse('/etc')).rejects.toMatchObject({ code: 'FILES_OUTSIDE_ROOTS' })
    await expect(browse(join(context.dataDir, '..', '..', 'etc'))).rejects.toMatchObject({ code: 'FILES_OUTSIDE_ROOTS' })
    await expect(browse('relative/path')).rejects.toMatchObject({ code: 'FILES_NOT_ABSOLUTE' })

    // A symlink inside a root that leads out of it is neither listed nor followed.
    symlinkSync(outside, join(context.dataDir, 'escape'))
    symlinkSync(join(outside, 'secret.py'), join(context.dataDir, 'escape.py'))
    mkdirSync(join(context.dataDir, 'kept'))
    const listed = await browse(context.dataDir)
    expect(listed.entries.map((entry) => entry.name)).toEqual(['kept'])
    await expect(browse(join(context.dataDir, 'escape'))).rejects.toMatchObject({ code: 'FILES_OUTSIDE_ROOTS' })
    await expect(browse(join(context.dataDir, 'escape.py'))).rejects.toMatchObject({ code: 'FILES_OUTSIDE_ROOTS' })

    // Opening a task folder makes it browsable.
    mkdirSync(join(outside, 'level1'))
    writeFileSync(
      join(outside, 'level1', '1_Task.py'),
      'import torch\nclass Model(torch.nn.Module):\n    pass\ndef get_inputs():\n    return []\ndef get_init_inputs():\n    return []\n',
    )
    await context.handlers['tasks.openFolder']({ path: outside }, cli).catch(() => undefined)
    const opened = await context.handlers['files.list']({ path: outside, extensions: ['.py'] }, cli).catch((error: unknown) => error)
    expect(opened).toMatchObject({ path: outside })
  })

  it('plays a replay provider over a cassette folder again in every run, never used up', async () => {
    const context = temporaryHost()
    cleanups.push(() => context.dispose())
    await context.handlers['providers.save'](
      { name: 'samples', kind: 'replay', cassettePath: join(repoRoot, 'resources', 'cassettes'), defaultModel: 'hand-written-replay' },
      cli,
    )
    const tested = await context.handlers['providers.test']({ name: 'samples' }, cli)
    expect(tested.models[0]?.details).toContain('19_ReLU.cpp.json')
    const spec = {
      taskPath: join(repoRoot, 'resources', 'tasks', 'level1', '19_ReLU.py'),
      dsl: 'cpp',
      models: { coder: 'samples:hand-written-replay', designer: 'samples:hand-written-replay' },
    } as unknown as RunSpec
    for (let run = 0; run < 2; run += 1) {
      const models = await resolveRunModels(context.host, spec, [])
      const binding = models('designer')
      expect(binding.client.replay).toBe(true)
      let text = ''
      for await (const event of binding.client.stream({ model: binding.model, messages: [], role: 'designer' }))
        if (event.type === 'text-delta') text += event.text
      expect(text).toContain('Plan for ReLU on the CPU')
    }
  })

  it("checks the terminal's python for real: a shell profile that puts another Python first is caught", async () => {
    const context = temporaryHost()
    cleanups.push(() => context.dispose())
    const folder = mkdtempSync(join(tmpdir(), 'akg-shell-'))
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }))
    mkdirSync(join(folder, 'other', 'bin'), { recursive: true })
    writeFileSync(join(folder, 'other', 'bin', 'python'), '#!/bin/sh\n', { mode: 0o755 })
    // A "shell" whose profile prepends another Python, as conda init or pyenv do in ~/.bashrc.
    const shell = join(folder, 'profile-shell')
    writeFileSync(shell, `#!/bin/sh\nPATH="${join(folder, 'other', 'bin')}:$PATH"\nexport PATH\nshift\nexec /bin/sh "$@"\n`, { mode: 0o755 })
    const python = join(repoRoot, '.venv', 'bin', 'python')
    const shadowed = await pythonOnPath(context.host, python, shell)
    expect(shadowed).toMatchObject({ checked: true, first: false, found: join(folder, 'other', 'bin', 'python') })
    const plain = await pythonOnPath(context.host, python, '/bin/sh')
    expect(plain).toMatchObject({ checked: true, first: true, found: python })
  })

  it('refuses to delete a run that does not exist, and a path-like id', async () => {
    const context = temporaryHost()
    cleanups.push(() => context.dispose())
    await expect(context.handlers['runs.delete']({ runId: '../settings' }, cli)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(context.handlers['runs.delete']({ runId: 'nope' }, cli)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
