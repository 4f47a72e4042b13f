import { delimiter, dirname } from 'node:path'
import type { PythonOnPath } from '../../../agents/contract/index.ts'
import type { Host } from '../host.ts'

/** An interactive shell reads its profile; a slow profile (conda init, nvm) gets this long. */
const CHECK_TIMEOUT_MS = 15_000

/**
 * Which python a new terminal really finds first: the user's shell is started interactively with
 * the same environment the terminal gets (the chosen environment first on PATH), so a profile that
 * prepends another Python (conda's base, pyenv) shows up here, instead of being assumed away.
 */
export async function pythonOnPath(host: Host, python: string, shell = process.env.SHELL ?? '/bin/bash'): Promise<PythonOnPath> {
  const bin = dirname(python)
  const env = { ...process.env, PATH: [bin, process.env.PATH].filter(Boolean).join(delimiter), TERM: 'dumb' }
  const marker = '__akg_python__'
  const result = await host.processes.run({
    label: 'terminal PATH check',
    file: shell,
    args: ['-i', '-c', `printf '${marker}%s\\n' "$(command -v python)" "$(command -v python3)"`],
    env,
    timeoutMs: CHECK_TIMEOUT_MS,
  })
  const found = result.stdout
    .split('\n')
    .filter((line) => line.startsWith(marker))
    .map((line) => line.slice(marker.length).trim())
  const first = found.find(Boolean) ?? null
  return { shell, expected: python, found: first, first: first !== null && dirname(first) === bin, checked: !result.timedOut && result.spawnError === null }
}
