import { useEffect, useMemo, useState } from 'react'
import type { AppInfo, Dsl } from '../../../agents/contract/index.ts'
import { CodeView } from '../components/CodeView.tsx'
import { Notice } from '../components/Notice.tsx'
import { cleanModels, ModelFields, TargetFields } from '../components/RunOptions.tsx'
import { DSL_LABELS, localDevices } from '../lib/devices.ts'
import { detectDsl } from '../../../agents/contract/registry.ts'
import { PathField } from '../components/workbench/PathField.tsx'
import { useForm } from '../lib/use-form.ts'
import { useStudio } from '../store/index.ts'
import { request } from '../transport/index.ts'

interface Source {
  path: string
  code: string
  /** The reference task the kernel implements. */
  taskPath: string
}

/** Ports a kernel to another DSL: the source's DSL is detected, one click starts the migrate run. */
export function MigrateView() {
  const [mode, setMode] = useState<'file' | 'candidate'>('file')
  const [source, setSource] = useState<Source | null>(null)
  const [sourceDsl, setSourceDsl] = useState<Dsl | null>(null)
  const [target, setTarget] = useState<{ dsl: Dsl; device: string }>({ dsl: 'cpp', device: 'cpu' })
  const roleModels = useStudio((state) => state.roleModels)
  const modelChoices = useStudio((state) => state.modelChoices)
  const toolchain = useStudio((state) => state.toolchain)
  const theme = useStudio((state) => state.theme)
  const openRun = useStudio((state) => state.openRun)
  const [models, setModels] = useState(roleModels)
  // Settings' roles arrive after the first render; take them unless the user has typed models already.
  useEffect(() => setModels((current) => (Object.values(current).some(Boolean) ? current : roleModels)), [roleModels])
  const [error, setError] = useState<{ code: string; message: string } | null>(null)
  const [starting, setStarting] = useState(false)
  const devices = useMemo(() => localDevices(toolchain.state === 'ready' ? toolchain.value : undefined), [toolchain])
  const detection = useMemo(() => (source ? detectDsl(source.code, source.path) : null), [source])

  const choose = (next: Source | null) => {
    const found = next ? detectDsl(next.code, next.path) : null
    setSource(next)
    setSourceDsl(found?.dsl ?? null)
    // Migrating to the DSL it is already in is not a migration: offer the next sensible target.
    if (found?.dsl && found.dsl === target.dsl) setTarget((current) => ({ ...current, dsl: found.dsl === 'cpp' ? 'triton' : 'cpp' }))
  }

  const start = async () => {
    if (!source || !sourceDsl) return
    setStarting(true)
    setError(null)
    const result = await request('migrate.start', {
      taskPath: source.taskPath,
      sourcePath: source.path,
      sourceDsl,
      dsl: target.dsl,
      device: target.device,
      models: cleanModels(models),
    })
    setStarting(false)
    if (!result.ok) return setError(result.error)
    await openRun(result.data.id)
  }

  return (
    <section className="view" aria-labelledby="migrate-title">
      <header className="pane-header">
        <h1 id="migrate-title">Migrate a kernel</h1>
      </header>
      <div className="segmented" role="group" aria-label="Source">
        {(['file', 'candidate'] as const).map((value) => (
          <button
            key={value}
            type="button"
            aria-pressed={mode === value}
            className={mode === value ? 'active' : ''}
            onClick={() => {
              setMode(value)
              choose(null)
            }}
          >
            {value === 'file' ? 'a kernel file' : 'a candidate of a run'}
          </button>
        ))}
      </div>
      {mode === 'file' ? <FileSource onSource={choose} /> : <CandidateSource onSource={choose} />}
      {source ? (
        <div className="form-grid">
          <fieldset>
            <legend>Source</legend>
            <p className="mono small wrap">{source.path}</p>
            <label htmlFor="migrate-source-dsl">Detected DSL</label>
            <select id="migrate-source-dsl" value={sourceDsl ?? ''} onChange={(event) => setSourceDsl((event.target.value || null) as Dsl | null)}>
              <option value="">none found: choose one</option>
              {(Object.keys(DSL_LABELS) as Dsl[]).map((value) => (
                <option key={value} value={value}>
                  {DSL_LABELS[value]}
                </option>
              ))}
            </select>
            <p className="field-note" data-testid="dsl-evidence">
              {detection?.dsl
                ? `Because: ${detection.evidence.join('; ')}${detection.alsoSeen.length ? ` (also traces of ${detection.alsoSeen.join(', ')})` : ''}.`
                : 'No DSL signature found: this may be plain PyTorch. Choose the DSL if you know it.'}
            </p>
            <div className="code-preview">
              <CodeView value={source.code} theme={theme} label="Source kernel" />
            </div>
          </fieldset>
          <fieldset>
            <legend>Target</legend>
            <TargetFields dsl={target.dsl} device={target.device} devices={devices} onChange={setTarget} idPrefix="migrate" />
            <ModelFields models={models} choices={modelChoices} onChange={setModels} idPrefix="migrate" />
          </fieldset>
          {error ? (
            <Notice tone="error" title="The migration did not start" code={error.code}>
              {error.message}
            </Notice>
          ) : null}
          <div className="form-actions">
            <button type="button" className="primary" disabled={!sourceDsl || starting || sourceDsl === target.dsl} onClick={() => void start()}>
              {starting ? 'Starting…' : `Migrate ${sourceDsl ? DSL_LABELS[sourceDsl] : ''} → ${DSL_LABELS[target.dsl]}`}
            </button>
          </div>
        </div>
      ) : null}
    </section>
  )
}

function FileSource({ onSource }: { onSource: (source: Source) => void }) {
  const taskList = useStudio((state) => state.taskList)
  const loadTasks = useStudio((state) => state.loadTasks)
  // Kept across views (useForm): leaving Migrate and coming back finds the paths typed.
  const [form, setForm] = useForm('migrate.file', { path: '', taskPath: '' })
  const { path, taskPath } = form
  const setPath = (value: string) => setForm((current) => ({ ...current, path: value }))
  const setTaskPath = (value: string) => setForm((current) => ({ ...current, taskPath: value }))
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    if (taskList.state === 'idle') void loadTasks()
  }, [taskList.state, loadTasks])
  const read = async () => {
    setError(null)
    const result = await request('tasks.read', { path: path.trim() })
    if (!result.ok) return setError(result.error.message)
    onSource({ path: result.data.path, code: result.data.content, taskPath: taskPath.trim() || result.data.path })
  }
  return (
    <form
      className="form-grid"
      onSubmit={(event) => {
        event.preventDefault()
        void read()
      }}
    >
      <fieldset>
        <legend>Kernel file and the task it solves</legend>
        <label htmlFor="migrate-path">Kernel file (a module defining ModelNew)</label>
        <PathField id="migrate-path" value={path} onChange={setPath} extensions={['.py']} required />
        <label htmlFor="migrate-task">Reference task (KernelBench format)</label>
        <input
          id="migrate-task"
          list="migrate-tasks"
          value={taskPath}
          onChange={(event) => setTaskPath(event.target.value)}
          className="mono"
          spellCheck={false}
          required
        />
        <datalist id="migrate-tasks">
          {taskList.state === 'ready'
            ? taskList.value.map((task) => (
                <option key={task.id} value={task.path}>
                  {task.name}
                </option>
              ))
            : null}
        </datalist>
        <div className="form-actions">
          <button type="submit">Read and detect</button>
        </div>
        {error ? (
          <Notice tone="error" title="Could not read the kernel">
            {error}
          </Notice>
        ) : null}
      </fieldset>
    </form>
  )
}

function CandidateSource({ onSource }: { onSource: (source: Source) => void }) {
  const runList = useStudio((state) => state.runList)
  const loadRuns = useStudio((state) => state.loadRuns)
  const [runId, setRunId] = useState('')
  const [candidates, setCandidates] = useState<Array<{ id: string; status: string; codePath: string | null }>>([])
  const [error, setError] = useState<string | null>(null)
  const [info, setInfo] = useState<AppInfo | null>(null)
  useEffect(() => {
    void loadRuns()
    void request('app.info', {}).then((result) => result.ok && setInfo(result.data))
  }, [loadRuns])
  useEffect(() => {
    if (!runId) return
    void request('runs.get', { runId }).then((result) => {
      if (!result.ok) return setError(result.error.message)
      setCandidates(
        result.data.candidates
          .filter((candidate) => candidate.codePath)
          .map((candidate) => ({ id: candidate.id, status: candidate.status, codePath: candidate.codePath })),
      )
    })
  }, [runId])
  const choose = async (candidateId: string) => {
    setError(null)
    const [detail, run] = await Promise.all([request('runs.candidate', { runId, candidateId }), request('runs.get', { runId })])
    if (!detail.ok || !run.ok) return setError((detail.ok ? null : detail.error.message) ?? (run.ok ? '' : run.error.message))
    const codePath = detail.data.candidate.codePath
    if (!detail.data.code || !codePath || !info) return setError('This candidate has no code file.')
    // The run store keeps each run in <data folder>/runs/<run id>, candidates relative to it.
    onSource({ path: `${info.dataDir}/runs/${runId}/${codePath}`, code: detail.data.code, taskPath: run.data.spec.taskPath })
  }
  return (
    <div className="form-grid">
      <fieldset>
        <legend>Candidate</legend>
        <label htmlFor="migrate-run">Run</label>
        <select id="migrate-run" value={runId} onChange={(event) => setRunId(event.target.value)}>
          <option value="">choose a run</option>
          {runList.state === 'ready'
            ? runList.value.map((run) => (
                <option key={run.id} value={run.id}>
                  {run.title}
                </option>
              ))
            : null}
        </select>
        {runList.state === 'error' ? (
          <Notice tone="error" title="Could not list runs" code={runList.code}>
            {runList.message}
          </Notice>
        ) : null}
        <label htmlFor="migrate-candidate">Candidate</label>
        <select
          id="migrate-candidate"
          defaultValue=""
          onChange={(event) => event.target.value && void choose(event.target.value)}
          disabled={candidates.length === 0}
        >
          <option value="">choose a candidate</option>
          {candidates.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.id} · {candidate.status}
            </option>
          ))}
        </select>
        {error ? (
          <Notice tone="error" title="Could not use this candidate">
            {error}
          </Notice>
        ) : null}
      </fieldset>
    </div>
  )
}
