import { useState } from 'react'
import type { Workflow } from '../../../../agents/contract/index.ts'
import { useStudio } from '../../store/index.ts'
import { request } from '../../transport/index.ts'
import { CodeEditor } from '../CodeEditor.tsx'
import { Notice } from '../Notice.tsx'

/**
 * Edit a candidate's code and verify it as a new candidate: a fork whose first candidate is the
 * edited code, checked and timed by the harness like any answer.
 */
export function EditAndVerify({ runId, candidateId, code, path }: { runId: string; candidateId: string; code: string; path: string | null }) {
  const theme = useStudio((state) => state.theme)
  const openRun = useStudio((state) => state.openRun)
  const loadRuns = useStudio((state) => state.loadRuns)
  const [edited, setEdited] = useState(code)
  const [problem, setProblem] = useState<{ code: string; message: string } | null>(null)
  const [external, setExternal] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const verify = async () => {
    setBusy(true)
    setProblem(null)
    const result = await request('runs.verifyEdited', { runId, candidateId, code: edited })
    setBusy(false)
    if (!result.ok) return setProblem(result.error)
    void loadRuns()
    await openRun(result.data.id)
  }
  const openExternal = async () => {
    if (!path) return
    const result = await request('files.openExternal', { path })
    if (!result.ok) return setProblem(result.error)
    setExternal(result.data.opened ? `Opened ${result.data.path} in your editor.` : `Open this file in your editor: ${result.data.path}`)
  }
  return (
    <div className="edit-candidate" data-testid="edit-candidate">
      <p className="muted small">
        Your edit is verified like any answer: checked, compiled, compared with the task and timed by the harness in a new run forked from {candidateId}.
      </p>
      <div className="edit-editor">
        <CodeEditor initial={code} theme={theme} label={`Edit the code of ${candidateId}`} onChange={setEdited} />
      </div>
      <div className="form-actions">
        <button type="button" className="primary" disabled={busy || edited === code} onClick={() => void verify()}>
          {busy ? 'Starting…' : 'Verify as a new candidate'}
        </button>
        <button type="button" disabled={edited === code} onClick={() => setEdited(code)}>
          Discard edits
        </button>
        <button type="button" disabled={!path} onClick={() => void openExternal()}>
          Open in external editor
        </button>
      </div>
      {external ? (
        <p className="mono small wrap" role="status">
          {external}
        </p>
      ) : null}
      {problem ? (
        <Notice tone="error" title="Not verified" code={problem.code}>
          {problem.message}
        </Notice>
      ) : null}
    </div>
  )
}

const FORK_WORKFLOWS: Array<Exclude<Workflow, 'migrate'>> = ['single', 'optimize', 'evolve', 'adaptive']

/** Fork with a choice of workflow, candidate budget and coder model, as `akg fork` offers. */
export function ForkOptions({ runId, candidateId, onClose }: { runId: string; candidateId: string; onClose: () => void }) {
  const forkRun = useStudio((state) => state.forkRun)
  const spec = useStudio((state) => state.runModels[runId]?.spec ?? null)
  const choices = useStudio((state) => state.modelChoices)
  const [workflow, setWorkflow] = useState<Exclude<Workflow, 'migrate'>>(spec?.workflow === 'migrate' || !spec ? 'single' : spec.workflow)
  const [candidates, setCandidates] = useState(spec?.budget.candidates ?? 8)
  const [model, setModel] = useState(spec?.models.coder ?? '')
  const [problem, setProblem] = useState<string | null>(null)
  const start = async () => {
    const error = await forkRun(runId, candidateId, { workflow, budget: { candidates }, ...(model.trim() ? { models: { coder: model.trim() } } : {}) })
    setProblem(error?.message ?? null)
    if (!error) onClose()
  }
  return (
    <form
      className="fork-options"
      aria-label={`Fork from ${candidateId}`}
      onSubmit={(event) => {
        event.preventDefault()
        void start()
      }}
    >
      <label htmlFor="fork-workflow">Workflow</label>
      <select id="fork-workflow" value={workflow} onChange={(event) => setWorkflow(event.target.value as typeof workflow)}>
        {FORK_WORKFLOWS.map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </select>
      <label htmlFor="fork-candidates">Candidates</label>
      <input id="fork-candidates" type="number" min={1} value={candidates} onChange={(event) => setCandidates(Math.max(1, Number(event.target.value) || 1))} />
      <label htmlFor="fork-model">Coder model</label>
      <input id="fork-model" className="mono" list="fork-models" value={model} onChange={(event) => setModel(event.target.value)} spellCheck={false} />
      <datalist id="fork-models">
        {choices.map((choice) => (
          <option key={choice} value={choice} />
        ))}
      </datalist>
      <button type="submit" className="primary">
        Start the fork
      </button>
      <button type="button" onClick={onClose}>
        Cancel
      </button>
      {problem ? (
        <Notice tone="error" title="Not forked">
          {problem}
        </Notice>
      ) : null}
    </form>
  )
}
