import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readRayCluster, readSshHosts, runnerSettings } from './runner/settings.ts'
import { createSettingsFile, settingsSchema } from './settings.ts'
import { taskSettings } from './tasks/settings.ts'
import { toolchainSettings } from './toolchain/settings.ts'

const folders: string[] = []
const settingsIn = (content: unknown) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'akg-settings-'))
  folders.push(dataDir)
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(content))
  return { file: createSettingsFile(dataDir), path: join(dataDir, 'settings.json') }
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

describe('the settings file', () => {
  it('is one schema made of the sections the services own', () => {
    expect(Object.keys(settingsSchema.shape).sort()).toEqual(
      [...Object.keys(taskSettings), ...Object.keys(toolchainSettings), ...Object.keys(runnerSettings), 'theme'].sort(),
    )
  })

  it('reads a section that does not parse as unset, keeping the rest of the file', async () => {
    const { file } = settingsIn({ python: '/usr/bin/python3', runner: 'eight', toolchain: { added: 'not a list' }, sshHosts: 'none' })
    const settings = await file.read()
    expect(settings.python).toBe('/usr/bin/python3')
    expect(settings.runner).toBeUndefined()
    expect(settings.toolchain).toBeUndefined()
    expect(readSshHosts(settings)).toEqual([])
  })

  it('keeps SSH hosts, the cluster and unknown keys as written, and reads only the entries that parse', async () => {
    const good = { name: 'box', destination: 'me@box' }
    const newer = { name: 'other', destination: 'me@other', fromANewerVersion: true }
    const { file, path } = settingsIn({
      sshHosts: [good, newer],
      rayCluster: { address: 'auto', newerField: 1 },
      runner: { cpuSlots: 4, later: 'x' },
      laterSection: { a: 1 },
    })
    const settings = await file.read()
    expect(readSshHosts(settings)).toEqual([good])
    expect(readRayCluster(settings)).toBeNull()
    expect(settings.runner?.cpuSlots).toBe(4)
    await file.update((current) => ({ ...current, theme: 'light' }))
    const saved = JSON.parse(readFileSync(path, 'utf8'))
    expect(saved).toMatchObject({
      theme: 'light',
      sshHosts: [good, newer],
      rayCluster: { address: 'auto', newerField: 1 },
      runner: { cpuSlots: 4, later: 'x' },
      laterSection: { a: 1 },
    })
  })
})
