import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'

/** Where an interpreter was found, shown beside it so the user recognises it. */
export type EnvironmentSource = 'project venv' | 'active venv' | 'venv' | 'conda' | 'PATH' | 'added'

export interface FoundInterpreter {
  python: string
  source: EnvironmentSource
  /** The environment's folder (venv or conda prefix) when there is one. */
  prefix: string | null
}

const isExecutable = (path: string) => {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

const subfolders = (folder: string): string[] => {
  try {
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(folder, entry.name))
  } catch {
    return []
  }
}

/** The conda roots people actually have: the installer defaults, the system image's, and conda's own list. */
function condaPrefixes(home: string): string[] {
  const roots = ['miniconda3', 'anaconda3', 'miniforge3', 'mambaforge', '.conda'].map((name) => join(home, name))
  roots.push('/opt/conda', '/opt/miniconda3', '/opt/anaconda3')
  const prefixes = [...roots, ...roots.flatMap((root) => subfolders(join(root, 'envs')))]
  if (process.env.CONDA_PREFIX) prefixes.push(process.env.CONDA_PREFIX)
  try {
    prefixes.push(
      ...readFileSync(join(home, '.conda', 'environments.txt'), 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    )
  } catch {
    // No environments.txt: conda was never used, or lists nothing extra.
  }
  return prefixes
}

/**
 * Every Python interpreter a kernel engineer is likely to use on this machine: the project's
 * .venv, the active venv, venvs in the usual folders, conda environments, python3 on PATH,
 * and the paths the user added. Duplicates (symlinks to one binary) are listed once.
 */
export function findInterpreters(appRoot: string, added: string[], home = homedir()): FoundInterpreter[] {
  const found: FoundInterpreter[] = []
  const push = (python: string, source: EnvironmentSource, prefix: string | null) => {
    if (isExecutable(python)) found.push({ python, source, prefix })
  }
  push(join(appRoot, '.venv', 'bin', 'python'), 'project venv', join(appRoot, '.venv'))
  if (process.env.VIRTUAL_ENV) push(join(process.env.VIRTUAL_ENV, 'bin', 'python'), 'active venv', process.env.VIRTUAL_ENV)
  for (const folder of [
    join(home, '.venv'),
    ...subfolders(join(home, '.virtualenvs')),
    ...subfolders(join(home, 'venvs')),
    ...subfolders(join(home, '.venvs')),
  ]) {
    push(join(folder, 'bin', 'python'), 'venv', folder)
  }
  for (const prefix of condaPrefixes(home)) push(join(prefix, 'bin', 'python'), 'conda', prefix)
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (!folder) continue
    for (const name of ['python3', 'python']) push(join(folder, name), 'PATH', null)
  }
  for (const python of added) push(python, 'added', null)
  return dedupe(found)
}

/**
 * One entry per environment: a venv or conda env is known by its folder (its python is a symlink
 * to a base interpreter, yet a different environment); a bare interpreter by its real binary.
 */
function dedupe(found: FoundInterpreter[]): FoundInterpreter[] {
  const seen = new Set<string>()
  return found.filter((entry) => {
    let real: string
    try {
      real = realpathSync(entry.python)
    } catch {
      return false
    }
    // python3 on PATH that lives inside an environment already listed (conda's base, an activated venv).
    const insideKnown = entry.prefix === null && [...seen].some((prefix) => entry.python.startsWith(`${prefix}/`) || real.startsWith(`${prefix}/`))
    const key = entry.prefix ?? real
    if (insideKnown || seen.has(key)) return false
    seen.add(key)
    return true
  })
}

export const interpreterExists = (python: string): boolean => existsSync(python) && isExecutable(python)
