// The Python environment the harness runs in: find one that has torch, or create the project's own
// (.venv) with the torch build that fits this machine. Never installs into another interpreter.
//
//   node scripts/python-env.mjs find            prints the interpreter with torch, or nothing
//   node scripts/python-env.mjs plan            prints what `create` would install and why (JSON)
//   node scripts/python-env.mjs create [--json] creates .venv; --json prints one progress object a line
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

export const root = join(import.meta.dirname, '..')
export const projectPython = join(root, '.venv', 'bin', 'python')

/** The torch release the harness and its tests are written against. */
export const TORCH_VERSION = '2.13.0'
const TORCH_INDEX = 'https://download.pytorch.org/whl'

/**
 * The newest CUDA build of torch a driver can run (Linux minimum driver per CUDA release, from
 * NVIDIA's CUDA compatibility table); a driver older than the last row gets the CPU build.
 */
const CUDA_BUILDS = [
  { minDriver: [580, 65], tag: 'cu130', cuda: '13.0' },
  { minDriver: [570, 26], tag: 'cu128', cuda: '12.8' },
  { minDriver: [560, 28], tag: 'cu126', cuda: '12.6' },
]

/** Driver versions compare part by part (570.133 is newer than 570.26), never as decimals. */
const atLeast = (version, minimum) => {
  const parts = version.split('.').map((part) => Number.parseInt(part, 10) || 0)
  for (let index = 0; index < minimum.length; index += 1) {
    if ((parts[index] ?? 0) !== minimum[index]) return (parts[index] ?? 0) > minimum[index]
  }
  return true
}

/** Which torch build to install, from nvidia-smi's driver version (null: no NVIDIA driver answered). */
export function torchBuild(driverVersion) {
  if (!driverVersion) {
    return { tag: 'cpu', index: `${TORCH_INDEX}/cpu`, reason: 'nvidia-smi reports no NVIDIA driver, so the CPU build (about 200 MB)' }
  }
  const build = CUDA_BUILDS.find((entry) => atLeast(driverVersion, entry.minDriver))
  if (!build) {
    return {
      tag: 'cpu',
      index: `${TORCH_INDEX}/cpu`,
      reason: `driver ${driverVersion} is older than ${CUDA_BUILDS.at(-1).minDriver.join('.')}, the oldest a CUDA build of torch ${TORCH_VERSION} runs on; update the driver for GPU runs. CPU build for now`,
    }
  }
  return {
    tag: build.tag,
    index: `${TORCH_INDEX}/${build.tag}`,
    reason: `driver ${driverVersion} runs CUDA ${build.cuda}, so the ${build.tag} build (several GB)`,
  }
}

export function driverVersion() {
  const result = spawnSync('nvidia-smi', ['--query-gpu=driver_version', '--format=csv,noheader'], { encoding: 'utf8', timeout: 15_000 })
  if (result.status !== 0) return null
  return result.stdout.trim().split('\n')[0] || null
}

/** What `create` would do, for the terminal prompt and the first-run screen. */
export function plan() {
  const driver = driverVersion()
  const build = torchBuild(driver)
  return {
    venv: join(root, '.venv'),
    base: findBasePython(),
    driver,
    torch: `torch==${TORCH_VERSION}`,
    ...build,
    packages: [`torch==${TORCH_VERSION}`, 'triton', 'numpy', 'ninja'],
  }
}

const hasTorch = (python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0

/**
 * An interpreter that can import torch: the one chosen in the studio's settings, the project
 * venv, then the active venv or conda environment. python3 on PATH is not tried: it is usually
 * the system interpreter, which the studio must not depend on or install into.
 */
export function findTorchPython() {
  const candidates = []
  const settingsFile = join(process.env.AKG_STUDIO_HOME ?? join(homedir(), '.akg-studio'), 'settings.json')
  try {
    const configured = JSON.parse(readFileSync(settingsFile, 'utf8')).python
    if (typeof configured === 'string') candidates.push(configured)
  } catch {
    // No settings yet: a first start.
  }
  candidates.push(projectPython)
  if (process.env.VIRTUAL_ENV) candidates.push(join(process.env.VIRTUAL_ENV, 'bin', 'python'))
  if (process.env.CONDA_PREFIX) candidates.push(join(process.env.CONDA_PREFIX, 'bin', 'python'))
  return candidates.find((python) => existsSync(python) && hasTorch(python)) ?? null
}

export function findBasePython() {
  for (const candidate of ['python3.12', 'python3.11', 'python3.10', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import sys, venv; assert sys.version_info >= (3, 10)'], { stdio: 'ignore' })
    if (probe.status === 0) return candidate
  }
  return null
}

/**
 * Creates .venv (if missing) and installs the planned torch build and the harness's packages into
 * it, reporting each stage; resolves with the venv's python. Only .venv's own pip is run.
 */
export async function createProjectVenv(onProgress = () => undefined) {
  const chosen = plan()
  if (!chosen.base)
    throw new Error('Python 3.10 or newer with the venv module was not found on PATH: install it (Debian: apt install python3-venv), then try again.')
  const started = Date.now()
  const report = (stage, line) => onProgress({ stage, line, elapsedMs: Date.now() - started })
  if (!existsSync(projectPython)) {
    report('venv', `creating ${chosen.venv} with ${chosen.base}`)
    await stream(chosen.base, ['-m', 'venv', chosen.venv], (line) => report('venv', line))
  }
  report('torch', `installing ${chosen.torch} (${chosen.tag}): ${chosen.reason}`)
  await stream(
    projectPython,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'off', chosen.torch, '--index-url', chosen.index],
    (line) => report('torch', line),
  )
  report('packages', 'installing triton, numpy and ninja')
  await stream(
    projectPython,
    [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--progress-bar',
      'off',
      'triton',
      'numpy',
      '-r',
      join(root, 'resources', 'harness', 'requirements.txt'),
    ],
    (line) => report('packages', line),
  )
  report('done', `torch ready in ${chosen.venv}`)
  return projectPython
}

function stream(command, args, onLine) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let tail = ''
    const split = (chunk) => {
      for (const line of chunk.toString().split(/\r?\n/)) {
        if (!line.trim()) continue
        tail = line
        onLine(line.trim())
      }
    }
    child.stdout.on('data', split)
    child.stderr.on('data', split)
    child.on('error', (error) => reject(new Error(`${command} could not start: ${error.message}`)))
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.slice(0, 4).join(' ')} exited with ${code}: ${tail}`))))
  })
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [command, flag] = process.argv.slice(2)
  if (command === 'find') {
    const python = findTorchPython()
    if (python) process.stdout.write(`${python}\n`)
    process.exit(python ? 0 : 1)
  } else if (command === 'plan') {
    process.stdout.write(`${JSON.stringify(plan())}\n`)
  } else if (command === 'create') {
    const json = flag === '--json'
    try {
      await createProjectVenv((progress) => process.stdout.write(json ? `${JSON.stringify(progress)}\n` : `[venv] ${progress.line}\n`))
    } catch (error) {
      process.stderr.write(`${error.message}\n`)
      process.exit(1)
    }
  } else {
    process.stderr.write('usage: node scripts/python-env.mjs find|plan|create [--json]\n')
    process.exit(2)
  }
}
