// `npm test`: sets up what is missing, then type-checks, lints, runs the unit tests (vitest),
// the harness tests (pytest, CPU) and the browser end-to-end tests, and ends with one line:
// `N passed, N failed[, N skipped]`.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
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
  const status = exec(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`])
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

function pytest() {
  const tests = join(root, 'resources', 'harness', 'tests')
  if (!existsSync(tests)) return
  step('pytest (resources/harness, CPU)')
  const report = join(results, 'pytest.xml')
  rmSync(report, { force: true })
  const status = exec(venvPython, ['-m', 'pytest', '-q', '-m', 'not gpu', '-p', 'no:cacheprovider', `--junitxml=${report}`, tests], {
    PYTHONPATH: join(root, 'resources', 'harness'),
  })
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

single('type check (tsc)', process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit'])
// The same code again per runtime: the Node side without DOM types, the renderer without Node types.
single('type check, Node side (tsc)', process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.node.json', '--noEmit'])
single('type check, renderer (tsc)', process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.web.json', '--noEmit'])
single('lint (eslint)', process.execPath, [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '.'])
vitest('unit')
pytest()
vitest('e2e')

if (failures.length > 0) process.stdout.write(`\nfailed: ${failures.join(', ')}\n`)
const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : ''
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed${skipped}\n`)
process.exit(totals.failed > 0 ? 1 : 0)
