// Brings a fresh clone to a runnable state, doing only what is missing:
// node modules (npm ci), the project venv (.venv) and, when asked, Debian packages.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const root = join(import.meta.dirname, '..')
export const venvPython = join(root, '.venv', 'bin', 'python')

export function log(message) {
  process.stdout.write(`[setup] ${message}\n`)
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options })
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`)
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`)
}

/**
 * Electron 45 and its downloader (@electron/get, @electron-internal/extract-zip) declare Node >= 22.12
 * in `engines`; the studio itself needs 20.19 (package.json). npm prints one EBADENGINE block per
 * such package on every install; those three are replaced by one line that says what it means.
 */
const ELECTRON_ENGINE_PACKAGES = ['electron@', '@electron/get@', '@electron-internal/extract-zip@']

export function ensureNodeModules() {
  if (installedMatchesLock()) return
  // A node_modules that is a link points at another checkout's install (worktrees sharing one):
  // npm ci would empty that folder under everyone using it, so say so and leave it alone.
  if (lstatSync(join(root, 'node_modules'), { throwIfNoEntry: false })?.isSymbolicLink()) {
    log("node_modules is a link to another checkout's install and differs from package-lock.json; not reinstalling it (run npm ci where it lives)")
    return
  }
  log('installing node modules (npm ci)')
  // Electron's own download is not part of install (package.json denies its script); npm start fetches it.
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['inherit', 'inherit', 'pipe'], encoding: 'utf8' })
  const { kept, electronWarned } = filterEngineWarnings(result.stderr ?? '')
  if (kept) process.stderr.write(kept)
  if (electronWarned)
    log(
      `Electron's install tooling declares Node >= 22.12 (this is Node ${process.versions.node}); the studio, browser mode and the CLI need 20.19, and npm start still tries Electron`,
    )
  if (result.error) throw new Error(`npm could not start: ${result.error.message}`)
  if (result.status !== 0) throw new Error(`npm ci exited with ${result.status}`)
}

/**
 * Whether node_modules holds exactly what package-lock.json pins, read from npm's own record of
 * the install (node_modules/.package-lock.json). Contents, not mtimes: a checkout or a rebase
 * rewrites package-lock.json's mtime without changing it, and that must not reinstall.
 */
function installedMatchesLock() {
  let locked
  let installed
  try {
    locked = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages
    installed = JSON.parse(readFileSync(join(root, 'node_modules', '.package-lock.json'), 'utf8')).packages
  } catch {
    return false
  }
  for (const [path, entry] of Object.entries(locked)) {
    if (path === '') continue
    // Optional packages for other platforms are never installed.
    if (!installed[path]) {
      if (entry.optional) continue
      return false
    }
    if (installed[path].version !== entry.version) return false
  }
  return Object.entries(installed).every(([path, entry]) => locked[path]?.version === entry.version)
}

/** Drops npm's EBADENGINE blocks for Electron's packages; every other line passes through. */
export function filterEngineWarnings(text) {
  const lines = text.split('\n')
  const kept = []
  let electronWarned = false
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]
    if (/EBADENGINE Unsupported engine \{/.test(line)) {
      const block = []
      while (index < lines.length && !/EBADENGINE \}$/.test(lines[index])) block.push(lines[index++])
      block.push(lines[index] ?? '')
      if (block.some((entry) => ELECTRON_ENGINE_PACKAGES.some((name) => entry.includes(`package: '${name}`)))) electronWarned = true
      else kept.push(...block)
      continue
    }
    kept.push(line)
  }
  return { kept: kept.join('\n').trim() ? `${kept.join('\n').trimEnd()}\n` : '', electronWarned }
}

/** Files whose content decides what the venv holds; a change reinstalls. */
const VENV_INPUTS = ['requirements-test.txt', 'resources/harness/requirements.txt']

export function ensureVenv() {
  const hash = createHash('sha256')
  for (const file of VENV_INPUTS) if (existsSync(join(root, file))) hash.update(readFileSync(join(root, file)))
  const digest = hash.digest('hex')
  const stampPath = join(root, '.venv', '.akg-requirements')
  if (existsSync(venvPython) && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === digest) return
  if (!existsSync(venvPython)) {
    log('creating the project venv (.venv)')
    run(findPython(), ['-m', 'venv', join(root, '.venv')])
  }
  log('installing torch==2.13.0 (CPU), triton, numpy, pytest and the harness requirements into .venv')
  const requirements = VENV_INPUTS.filter((file) => existsSync(join(root, file))).flatMap((file) => ['-r', file])
  run(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', ...requirements])
  writeFileSync(stampPath, digest)
}

function findPython() {
  for (const candidate of ['python3.11', 'python3', 'python']) {
    const probe = spawnSync(candidate, ['-c', 'import sys; assert sys.version_info >= (3, 10)'], { stdio: 'ignore' })
    if (probe.status === 0) return candidate
  }
  throw new Error('Python 3.10 or newer was not found on PATH: install it, then run this command again.')
}

/** Debian packages the test suite needs: a browser for the end-to-end tests, sshd for the SSH runner tests. */
const DEBIAN_PACKAGES = [
  { binary: '/usr/bin/chromium', name: 'chromium' },
  { binary: '/usr/sbin/sshd', name: 'openssh-server' },
  // The harness runs every candidate inside bubblewrap and refuses to run one without it.
  { binary: '/usr/bin/bwrap', name: 'bubblewrap' },
]

export function ensureDebianPackages() {
  const missing = DEBIAN_PACKAGES.filter((item) => !existsSync(item.binary))
  if (missing.length === 0) return
  const isRoot = process.getuid?.() === 0
  if (!isRoot || !existsSync('/etc/debian_version')) {
    log(`missing ${missing.map((item) => item.name).join(', ')}; install them with your package manager (tests that need them will fail)`)
    return
  }
  log(`installing ${missing.map((item) => item.name).join(', ')} with apt-get`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  run('apt-get', ['update', '-qq'], { env })
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((item) => item.name)], { env })
}

/** Builds main, preload and renderer with electron-vite when a source is newer than the build. */
export function ensureBuild({ force = false } = {}) {
  const marker = join(root, 'out', 'renderer', 'index.html')
  if (!force && existsSync(marker) && newestMtime(['renderer', 'agents', 'main', 'preload', 'electron.vite.config.ts']) <= statSync(marker).mtimeMs) return
  log('building the app (electron-vite build)')
  run(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'])
}

function newestMtime(paths) {
  let newest = 0
  const visit = (path) => {
    const info = statSync(path, { throwIfNoEntry: false })
    if (!info) return
    if (info.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== 'node_modules' && !entry.startsWith('.')) visit(join(path, entry))
    } else newest = Math.max(newest, info.mtimeMs)
  }
  for (const path of paths) visit(join(root, path))
  return newest
}
