import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './index.ts'

beforeAll(() => {
  process.env.AKG_STUDIO_HOME = mkdtempSync(join(tmpdir(), 'akg-cli-'))
})
afterAll(() => rmSync(process.env.AKG_STUDIO_HOME!, { recursive: true, force: true }))

async function capture(argv: string[]) {
  const out: string[] = []
  const error: string[] = []
  const code = await runCli(argv, { out: (line) => out.push(line), error: (line) => error.push(line) })
  return { code, out: out.join('\n'), error: error.join('\n') }
}

describe('akg CLI', () => {
  it('lists tasks for people and as JSON for scripts', async () => {
    const human = await capture(['tasks'])
    expect(human.code).toBe(0)
    expect(human.out).toMatch(/sample:level1\/19_ReLU\.py\s+1\s+sample/)
    const json = await capture(['tasks', '--json'])
    const tasks = JSON.parse(json.out) as Array<{ id: string }>
    expect(tasks.map((task) => task.id)).toContain('sample:level1/23_Softmax.py')
  })

  it('reports its version and data folder', async () => {
    const result = await capture(['info', '--json'])
    expect(JSON.parse(result.out)).toMatchObject({ name: 'AKG Studio', transport: 'cli', dataDir: process.env.AKG_STUDIO_HOME })
  })

  it('explains a Python that cannot be started instead of crashing', async () => {
    const result = await capture(['toolchains', '--python', '/nonexistent/python3', '--json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.out) as { python: { found: boolean; reason: string } }
    expect(report.python.found).toBe(false)
    expect(report.python.reason).toContain('/nonexistent/python3 could not be started')
  })

  it("prints a command's own usage for --help and `help COMMAND`", async () => {
    for (const argv of [
      ['bench', '--help'],
      ['help', 'bench'],
      ['model', 'compare', '-h'],
    ]) {
      const result = await capture(argv)
      expect(result.code).toBe(0)
      expect(result.error).toBe('')
      expect(result.out.split('\n')[0]).toMatch(new RegExp(`^usage: akg ${argv[0] === 'help' ? argv[1] : argv[0]} `))
    }
  })

  it('answers an unknown command with usage and exit code 2', async () => {
    const result = await capture(['frobnicate'])
    expect(result.code).toBe(2)
    expect(result.error).toContain('unknown command "frobnicate"')
    expect(result.error).toContain('akg tasks')
  })
})
