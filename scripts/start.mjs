// `npm start`: sets up what is missing, builds, and opens the Electron window. Where Electron's
// binary cannot be had (an offline machine) or there is no display, it says so in one line and
// starts browser mode instead.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBuild, ensureNodeModules, log, root } from './setup.mjs'

/** Electron's installer downloads ~100 MB; give it time, but not forever on a dead network. */
const ELECTRON_DOWNLOAD_TIMEOUT_MS = 120_000

ensureNodeModules()
ensureBuild()

const electronDir = join(root, 'node_modules', 'electron')
const reason = electronUnavailable()
if (reason) {
  process.stdout.write(`Electron is not available here (${reason}); starting browser mode instead.\n`)
  await import('./serve.mjs')
} else {
  const binary = join(electronDir, 'dist', readFileSync(join(electronDir, 'path.txt'), 'utf8').trim())
  const child = spawn(binary, [root], { stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
}

function electronUnavailable() {
  if (!existsSync(join(electronDir, 'path.txt'))) {
    log("fetching Electron's binary")
    const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], { cwd: electronDir, stdio: 'ignore', timeout: ELECTRON_DOWNLOAD_TIMEOUT_MS })
    if (result.status !== 0 || !existsSync(join(electronDir, 'path.txt'))) return 'its binary could not be downloaded from this machine'
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display: DISPLAY is not set'
  return null
}
