import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import allowed from '../../agents/allowed-packages.json'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.tsx?$/.test(name))
    .map((name) => join(folder, name))
}

interface Import {
  specifier: string
  typeOnly: boolean
}

/** Static imports, re-exports and dynamic imports, with whether each is erased at build time. */
function importsOf(text: string): Import[] {
  const found: Import[] = []
  for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm)) {
    const names = match[3] ?? ''
    const typeOnly =
      Boolean(match[2]) ||
      (/^\{[^}]*\}$/.test(names.trim()) &&
        names
          .replace(/[{}]/g, '')
          .split(',')
          .every((name) => name.trim() === '' || /^type\s/.test(name.trim())))
    found.push({ specifier: match[4] as string, typeOnly })
  }
  for (const match of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push({ specifier: match[1] as string, typeOnly: false })
  for (const match of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g))
    found.push({ specifier: match[1] as string, typeOnly: /typeof\s+$/.test(text.slice(0, match.index)) })
  return found
}

/** Every import of every file under `folder` that `allow` refuses, as `file: specifier`. */
function refused(folder: string, allow: (target: string, imported: Import, file: string) => boolean): string[] {
  const problems: string[] = []
  for (const file of sources(folder)) {
    for (const imported of importsOf(readFileSync(join(root, file), 'utf8'))) {
      const target = imported.specifier.startsWith('.')
        ? relative(root, resolve(root, dirname(file), imported.specifier))
            .split(sep)
            .join('/')
        : imported.specifier
      if (!allow(target, imported, file)) problems.push(`${file}: ${imported.specifier}`)
    }
  }
  return problems
}

describe('the layers', () => {
  it('reads imports the way the checks below need', () => {
    expect(
      importsOf(
        `import { a, type B } from './x.ts'\nimport type { C } from "y"\nexport * from './z.ts'\nimport { type D } from 'w'\nimport 'side.css'\nconst m = await import('./lazy.ts')\ntype T = typeof import('./t.ts')`,
      ),
    ).toEqual([
      { specifier: './x.ts', typeOnly: false },
      { specifier: 'y', typeOnly: true },
      { specifier: './z.ts', typeOnly: false },
      { specifier: 'w', typeOnly: true },
      { specifier: 'side.css', typeOnly: false },
      { specifier: './lazy.ts', typeOnly: false },
      { specifier: './t.ts', typeOnly: true },
    ])
  })

  it('agents/ is host-free: it imports only itself and the allowed packages', () => {
    const problems = refused('agents', (target, _imported, file) => {
      const test = file.endsWith('.test.ts')
      if (target.startsWith('agents/')) return true
      // Tests may also use the loopback model servers and recorded benchmark data.
      if (test && (target.startsWith('test/helpers/') || target.endsWith('.json'))) return true
      return [...allowed.packages, ...(test ? allowed.testPackages : [])].includes(target)
    })
    expect(problems).toEqual([])
  })

  it('the test doubles in agents/testing are imported by tests only', () => {
    const problems = ['agents', 'main', 'renderer/src', 'preload', 'bench', 'test'].flatMap((folder) =>
      refused(folder, (target, _imported, file) => file.endsWith('.test.ts') || file.startsWith('agents/testing/') || !target.startsWith('agents/testing/')),
    )
    expect(problems).toEqual([])
  })

  it('the renderer takes values from agents/contract only, and types from the rest of agents/', () => {
    const problems = refused('renderer/src', (target, imported) => {
      if (/^(main|preload)\//.test(target) || target.startsWith('node:') || ['electron', 'node-pty', 'fs', 'child_process'].includes(target)) return false
      if (target.startsWith('agents/') && !target.startsWith('agents/contract/')) return imported.typeOnly
      return true
    })
    expect(problems).toEqual([])
  })

  it('the preload imports electron and types from agents/contract, nothing else', () => {
    const problems = refused('preload', (target, imported) => target === 'electron' || (target.startsWith('agents/contract/') && imported.typeOnly))
    expect(problems).toEqual([])
  })
})
