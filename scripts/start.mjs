// `npm start`: sets up what is missing, builds, and opens the Electron window. Where Electron's
// binary cannot be had (an offline machine) or there is no display, it says so in one line and
// starts browser mode instead. `npm start -- --retry-electron` tries a failed download again.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { createProjectVenv, findTorchPython, plan } from './python-env.mjs'
import { ensureBuild, ensureNodeModules, log, root } from './setup.mjs'

/** Electron's installer downloads ~100 MB; give it time, but not forever on a dead network. */
const ELECTRON_DOWNLOAD_TIMEOUT_MS = 120_000

ensureNodeModules()
ensureBuild()
await ensurePython()

const electronDir = join(root, 'node_modules', 'electron')
/** A failed download is remembered here (inside node_modules, so a reinstall forgets it). */
const electronFailure = join(root, 'node_modules', '.akg-electron-unavailable.json')
const reason = electronUnavailable(process.argv.includes('--retry-electron'))
if (reason) {
  process.stdout.write(`Electron is not available here (${reason}); starting browser mode instead.\n`)
  await import('./serve.mjs')
} else {
  const binary = join(electronDir, 'dist', readFileSync(join(electronDir, 'path.txt'), 'utf8').trim())
  const child = spawn(binary, [root], { stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
}

function electronUnavailable(retry) {
  if (!existsSync(join(electronDir, 'path.txt'))) {
    if (retry) rmSync(electronFailure, { force: true })
    if (existsSync(electronFailure)) {
      const failure = JSON.parse(readFileSync(electronFailure, 'utf8'))
      return `its binary could not be downloaded on ${failure.at.slice(0, 10)}; npm start -- --retry-electron tries again`
    }
    log("fetching Electron's binary")
    const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
      cwd: electronDir,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      timeout: ELECTRON_DOWNLOAD_TIMEOUT_MS,
    })
    if (result.status !== 0 || !existsSync(join(electronDir, 'path.txt'))) {
      const why =
        result.error?.message ??
        result.stderr
          ?.trim()
          .split('\n')
          .find((line) => /Error/.test(line)) ??
        `exit code ${result.status}`
      writeFileSync(electronFailure, JSON.stringify({ at: new Date().toISOString(), error: why }))
      return `its binary could not be downloaded from this machine (${why}); npm start -- --retry-electron tries again`
    }
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display: DISPLAY is not set'
  return null
}

/**
 * Finds an environment with torch, or offers to create the project's own (.venv) with the torch
 * build for this machine. Without a terminal to ask, it says how, and the first-run screen offers it.
 */
async function ensurePython() {
  const found = findTorchPython()
  if (found) return
  const chosen = plan()
  const what = `${chosen.torch} (${chosen.tag} build: ${chosen.reason}) into ${chosen.venv}`
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    log(`no Python environment with torch was found; the first-run screen offers to install ${what}, or run: node scripts/python-env.mjs create`)
    return
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout })
  const answer = (
    await prompt.question(
      `[setup] No Python environment with torch was found. Create the project's own, installing ${what}? The system Python is not touched. [Y/n] `,
    )
  ).trim()
  prompt.close()
  if (/^n/i.test(answer)) {
    log('skipped; the first-run screen and Toolchains offer it again')
    return
  }
  try {
    await createProjectVenv((progress) => process.stdout.write(`[venv ${Math.round(progress.elapsedMs / 1000)} s] ${progress.line}\n`))
  } catch (error) {
    log(`the environment was not created: ${error.message}`)
  }
}
