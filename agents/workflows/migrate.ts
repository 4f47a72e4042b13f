import { runFolder } from '../contract/registry.ts'
import type { CandidateRecord } from '../contract/runs.ts'
import type { StopDecision } from '../roles/conductor.ts'
import { summarizeVerdict, verify } from '../roles/verifier.ts'
import type { RunContext } from '../run/context.ts'
import { isDiskError } from '../run/disk-errors.ts'
import { conduct } from './conduct.ts'

/** The derived task that makes the source kernel the reference: the harness then compares the target with the source's outputs. */
export function sourceReferenceTask(taskSource: string, sourceCode: string, sourceDsl: string): string {
  // Both files travel inside this one: the sandbox that imports it sees no run folder and no
  // task folder. They are written to its scratch folder and imported from there, so Triton's
  // @jit (which reads a kernel's source from its file) works as it does for a candidate.
  const literal = (text: string) => JSON.stringify(text)
  // The harness switches Triton to its interpreter only for a Triton candidate; here Triton is the reference.
  const interpret =
    sourceDsl === 'triton'
      ? `import os as _os
import torch as _torch

if not _torch.cuda.is_available():
    _os.environ["TRITON_INTERPRET"] = "1"

`
      : ''
  return `# Written by AKG Studio for a migrate run: the source kernel stands in as the reference Model,
# with the task's inputs, so the harness compares the migrated kernel's outputs with the source's.
${interpret}import atexit as _atexit
import importlib.util as _importlib_util
import os as _os_files
import shutil as _shutil
import tempfile as _tempfile

_TASK = ${literal(taskSource)}
_SOURCE = ${literal(sourceCode)}


def _load(name, text):
    folder = _tempfile.mkdtemp(prefix="akg-migrate-")
    _atexit.register(_shutil.rmtree, folder, True)  # kept while the process runs (tracebacks read it)
    path = _os_files.path.join(folder, name + ".py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    spec = _importlib_util.spec_from_file_location(name, path)
    module = _importlib_util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_task = _load("akg_migrate_task", _TASK)
_source = _load("akg_migrate_source", _SOURCE)


class Model(_source.ModelNew):
    """The source kernel of the migration."""


def get_inputs():
    return _task.get_inputs()


def get_init_inputs():
    return _task.get_init_inputs()
`
}

/** Evaluates the source kernel once, in its own DSL, against the task's reference. */
async function evaluateSource(context: RunContext, sourceCode: string): Promise<CandidateRecord> {
  const existing = [...context.state.candidates.values()].find((candidate) => candidate.origin === 'migrate-source' && candidate.verdict)
  if (existing) return existing
  const migrate = context.spec.migrate!
  const id = context.nextCandidateId()
  const codePath = runFolder.candidateCode(id)
  await context.deps.store.writeArtifact(codePath, sourceCode)
  const now = () => new Date(context.deps.clock.now()).toISOString()
  let record: CandidateRecord = {
    id,
    runId: context.runId,
    parentId: null,
    inspirationIds: [],
    island: null,
    step: 0,
    dsl: migrate.sourceDsl,
    origin: 'migrate-source',
    codePath,
    status: 'verifying',
    findings: [],
    verdict: null,
    params: null,
    timing: { startedAt: now(), endedAt: null, generateMs: null, verifyMs: null },
    speedups: null,
  }
  await context.recorder.emit({ type: 'candidate-start', candidate: record })
  try {
    const verdict = await verify(context, id, { candidatePath: context.deps.store.absolutePath(codePath), dsl: migrate.sourceDsl, profile: false }, 'source')
    await context.deps.store.writeArtifact(runFolder.result(id), JSON.stringify(verdict, null, 2))
    record = { ...record, status: verdict.status, verdict: summarizeVerdict(verdict) }
  } catch (error) {
    if (isDiskError(error)) throw error
    record = { ...record, status: 'error' }
    await context.recorder.emit({
      type: 'run-error',
      candidateId: id,
      fatal: false,
      code: 'SOURCE_FAILED',
      message: error instanceof Error ? error.message : String(error),
    })
  }
  record = { ...record, timing: { ...record.timing, endedAt: now() } }
  await context.recorder.emit({ type: 'candidate-end', candidate: record })
  await context.recorder.flush()
  return record
}

/**
 * migrate: the source kernel is the design. Each correct target candidate is checked against the
 * task's reference (its verdict) and against the source kernel's outputs; when the source cannot
 * run on this device that second check is reported skipped, never passed.
 */
export async function migrateWorkflow(context: RunContext, sourceCode: string): Promise<StopDecision> {
  const source = await evaluateSource(context, sourceCode)
  const referencePath = 'source-reference.py'
  return conduct(context, {
    keepOptimizing: false,
    fresh: () => ({ kind: 'migrate', sourceCode }),
    onCorrect: async (candidate) => {
      if (context.state.sourceChecks.has(candidate.id) || !candidate.codePath) return
      if (!source.verdict?.correct) {
        const why = source.verdict
          ? `${source.verdict.status}${source.verdict.errorMessage ? `: ${source.verdict.errorMessage.split('\n')[0]}` : ''}`
          : 'it could not be evaluated'
        await context.recorder.emit({
          type: 'source-check-end',
          candidateId: candidate.id,
          sourceCandidateId: source.id,
          status: 'skipped',
          detail: `the ${context.spec.migrate!.sourceDsl} source did not run correctly on ${context.spec.device} (${why}), so its outputs could not be compared`,
        })
        return
      }
      await context.deps.store.writeArtifact(referencePath, sourceReferenceTask(context.taskSource, sourceCode, context.spec.migrate!.sourceDsl))
      try {
        const verdict = await verify(
          context,
          candidate.id,
          {
            taskPath: context.deps.store.absolutePath(referencePath),
            candidatePath: context.deps.store.absolutePath(candidate.codePath),
            dsl: context.spec.dsl,
            baselines: [],
            profile: false,
          },
          'source',
        )
        const passed = verdict.correct
        // A failure inside the reference call is the source failing in this context, not the target differing.
        const sourceSide = !passed && /call_reference/.test(verdict.error?.traceback ?? '')
        await context.recorder.emit({
          type: 'source-check-end',
          candidateId: candidate.id,
          sourceCandidateId: source.id,
          status: passed ? 'passed' : sourceSide ? 'skipped' : 'failed',
          detail: passed
            ? `outputs match the ${context.spec.migrate!.sourceDsl} source (max abs error ${verdict.correctness?.max_abs_error ?? '?'})`
            : sourceSide
              ? `the source kernel failed when run as the reference: ${verdict.error?.message.split('\n')[0] ?? verdict.status}`
              : `outputs differ from the source: ${verdict.status}${verdict.error ? ` (${verdict.error.message.split('\n')[0]})` : ''}`,
        })
      } catch (error) {
        if (isDiskError(error)) throw error
        await context.recorder.emit({
          type: 'source-check-end',
          candidateId: candidate.id,
          sourceCandidateId: source.id,
          status: 'skipped',
          detail: `the comparison could not run: ${error instanceof Error ? error.message : String(error)}`,
        })
      }
      await context.recorder.flush()
    },
  })
}
