// `npm test`: sets up what is missing, then type-checks and lints while the harness tests (pytest,
// CPU) run beside them, then the unit tests (vitest), the Ray cluster tests and the browser
// end-to-end tests on their own, and ends with one line:
// `N passed, N failed[, N skipped]`.
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBuild, ensureDebianPackages, ensureNodeModules, ensureVenv, root, venvPython } from './setup.mjs'

const results = join(root, 'test-results')
const totals = { passed: 0, failed: 0, skipped: 0 }
const failures = []

function step(title) {
  process.stdout.write(`\n=== ${title} ===\n`)
}

function exec(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  return result.status ?? 1
}

/** A check that is one pass or one failure (type check, lint). */
function single(name, command, args) {
  step(name)
  if (exec(command, args) === 0) totals.passed += 1
  else {
    totals.failed += 1
    failures.push(name)
  }
}

function vitest(project) {
  step(`vitest (${project})`)
  const report = join(results, `vitest-${project}.json`)
  rmSync(report, { force: true })
  const status = exec(process.execPath, [
    join(root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ])
  if (!existsSync(report)) {
    totals.failed += 1
    failures.push(`vitest ${project} (no report, exit ${status})`)
    return
  }
  const data = JSON.parse(readFileSync(report, 'utf8'))
  totals.passed += data.numPassedTests
  totals.failed += data.numFailedTests
  totals.skipped += data.numPendingTests + data.numTodoTests
  // A file that fails to load counts no test but is a failure all the same.
  const brokenFiles = data.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length
  totals.failed += brokenFiles
  if (data.numFailedTests + brokenFiles > 0) failures.push(`vitest ${project}`)
}

/**
 * pytest runs beside the type checks and lint (each of those keeps one core busy at most); its
 * output is kept in a file and printed when it is collected, so the log reads in order.
 */
function startPytest(name, selection) {
  const tests = join(root, 'resources', 'harness', 'tests')
  if (!existsSync(tests)) return null
  const report = join(results, `${name}.xml`)
  const log = join(results, `${name}.log`)
  rmSync(report, { force: true })
  const output = openSync(log, 'w')
  const child = spawn(venvPython, ['-m', 'pytest', '-q', '-m', 'not gpu', '-p', 'no:cacheprovider', `--junitxml=${report}`, ...selection(tests)], {
    cwd: root,
    stdio: ['ignore', output, output],
    env: { ...process.env, PYTHONPATH: join(root, 'resources', 'harness') },
  })
  const done = new Promise((resolve) => {
    child.on('error', () => resolve(1))
    child.on('close', (code) => resolve(code ?? 1))
  })
  return { report, log, done, output }
}

async function collectPytest(started, title) {
  if (!started) return
  const status = await started.done
  closeSync(started.output)
  step(title)
  process.stdout.write(readFileSync(started.log, 'utf8'))
  const report = started.report
  if (!existsSync(report)) {
    totals.failed += 1
    failures.push(`pytest (no report, exit ${status})`)
    return
  }
  const xml = readFileSync(report, 'utf8')
  const suite = /<testsuite\b([^>]*)>/.exec(xml)?.[1] ?? ''
  const count = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? 0)
  const failed = count('failures') + count('errors')
  const skipped = count('skipped')
  totals.passed += count('tests') - failed - skipped
  totals.failed += failed
  totals.skipped += skipped
  if (failed > 0) failures.push('pytest')
}

try {
  mkdirSync(results, { recursive: true })
  step('setup')
  ensureNodeModules()
  ensureVenv()
  ensureDebianPackages()
  ensureBuild({ force: true })
} catch (error) {
  process.stdout.write(`setup failed: ${error.message}\n0 passed, 1 failed\n`)
  process.exit(1)
}

// The Ray cluster tests start a head on 127.0.0.1 (its client port is fixed) and stop every Ray
// process on the machine after them, as the unit suite's Ray test does: they run on their own.
const clusterTests = (tests) => join(tests, 'test_cluster.py')
const pytestRun = startPytest('pytest', (tests) => [`--ignore=${clusterTests(tests)}`, tests])
single('type check (tsc)', process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit'])
// The same code again per runtime: the Node side without DOM types, the renderer without Node types.
single('type check, Node side (tsc)', process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.node.json', '--noEmit'])
single('type check, renderer (tsc)', process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.web.json', '--noEmit'])
single('lint (eslint)', process.execPath, [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '.'])
// One format for the TypeScript (prettier) and for the harness's Python (ruff: pyflakes and formatting).
single('format (prettier --check)', process.execPath, [
  join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
  '--check',
  '--log-level',
  'warn',
  '**/*.{ts,tsx,js,mjs,css}',
])
single('lint, harness (ruff check)', venvPython, ['-m', 'ruff', 'check', '--quiet', '.'])
single('format, harness (ruff format --check)', venvPython, ['-m', 'ruff', 'format', '--check', '--quiet', '.'])
// The unit tests start their own harness processes: beside pytest's C++ builds on two cores,
// both ran slower than one after the other, so they wait for it.
await collectPytest(pytestRun, 'pytest (resources/harness, CPU; ran beside the checks above)')
vitest('unit')
if (existsSync(clusterTests(join(root, 'resources', 'harness', 'tests')))) {
  await collectPytest(
    startPytest('pytest-cluster', (tests) => [clusterTests(tests)]),
    'pytest (resources/harness, the Ray cluster tests)',
  )
}
vitest('e2e')

if (failures.length > 0) process.stdout.write(`\nfailed: ${failures.join(', ')}\n`)
const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : ''
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed${skipped}\n`)
process.exit(totals.failed > 0 ? 1 : 0)
