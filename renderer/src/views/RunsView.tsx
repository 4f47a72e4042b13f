import { useEffect, useMemo, useState } from 'react'
import type { RunSummary, UnreadableRun } from '../../../agents/contract/index.ts'
import { Notice } from '../components/Notice.tsx'
import { formatSpeedup } from '../components/run/SpeedupChart.tsx'
import { useForm } from '../lib/use-form.ts'
import { useStudio } from '../store/index.ts'
import { NoisyBadge } from '../components/NoisyBadge.tsx'
import { RunStatusBadge, RunTitleCell } from '../components/run/RunCells.tsx'

interface RunFilters {
  search: string
  task: string
  dsl: string
  device: string
  status: string
  model: string
}

const NO_FILTERS: RunFilters = { search: '', task: '', dsl: '', device: '', status: '', model: '' }

const taskName = (run: RunSummary) => run.taskPath.split(/[\\/]/).pop()?.replace(/\.py$/, '') ?? run.taskPath
/** The models a run used, as shown and filtered: `replay` for cassettes, else provider:model. */
export const runModels = (run: RunSummary): string[] => [
  ...new Set(Object.values(run.models ?? {}).map((value) => (value.startsWith('cassette:') ? 'replay' : value))),
]

function matches(run: RunSummary, filters: RunFilters): boolean {
  if (filters.task && taskName(run) !== filters.task) return false
  if (filters.dsl && run.dsl !== filters.dsl) return false
  if (filters.device && run.device !== filters.device) return false
  if (filters.status && run.status !== filters.status) return false
  if (filters.model && !runModels(run).includes(filters.model)) return false
  const query = filters.search.trim().toLowerCase()
  if (!query) return true
  return [run.id, run.title, run.taskPath, run.workflow, run.endReason ?? '', ...runModels(run)].some((text) => text.toLowerCase().includes(query))
}

/** Every run on this machine, newest first, with live ones seen through their events as well. */
export function RunsView() {
  const runList = useStudio((state) => state.runList)
  const unreadable = useStudio((state) => state.unreadableRuns)
  const loadRuns = useStudio((state) => state.loadRuns)
  const setView = useStudio((state) => state.setView)
  const liveOnly = useStudio((state) =>
    Object.values(state.runModels)
      .filter((model) => model.spec && !(state.runList.state === 'ready' && state.runList.value.some((run) => run.id === model.runId)))
      .map((model) => model.runId)
      .join(','),
  )
  const [filters, setFilters] = useForm<RunFilters>('runs.filters', NO_FILTERS)
  useEffect(() => {
    void loadRuns()
  }, [loadRuns])
  const runs = useMemo(() => (runList.state === 'ready' ? runList.value : []), [runList])
  const shown = useMemo(() => runs.filter((run) => matches(run, filters)), [runs, filters])
  return (
    <section className="view" aria-labelledby="runs-title">
      <header className="pane-header">
        <h1 id="runs-title">Runs</h1>
        <button type="button" onClick={() => setView('new-run')}>
          New run
        </button>
      </header>
      {runList.state === 'error' ? (
        <Notice tone="error" title="Could not list runs" code={runList.code}>
          {runList.message}
        </Notice>
      ) : null}
      {runList.state === 'loading' ? <p className="muted">Reading the run store…</p> : null}
      {runs.length === 0 && !liveOnly && runList.state === 'ready' ? (
        <div className="empty">
          <p>No runs recorded on this machine yet.</p>
          <p className="muted">
            A run takes a task, a target DSL and a device, and drives the Designer, Coder, Verifier and Conductor until a kernel is correct and fast or the
            budget is spent.
          </p>
          <button type="button" onClick={() => setView('new-run')}>
            Start a run
          </button>
        </div>
      ) : null}
      {liveOnly ? <LiveOnly ids={liveOnly.split(',')} /> : null}
      {runs.length > 0 ? (
        <>
          <FilterBar runs={runs} filters={filters} onChange={setFilters} />
          <p className="muted small" aria-live="polite" data-testid="run-count">
            {shown.length} of {runs.length} runs
          </p>
          <RunTable runs={shown} />
        </>
      ) : null}
      {unreadable.length > 0 ? <UnreadableRuns folders={unreadable} /> : null}
    </section>
  )
}

function FilterBar({ runs, filters, onChange }: { runs: RunSummary[]; filters: RunFilters; onChange: (next: RunFilters) => void }) {
  const options = (values: string[]) => [...new Set(values)].sort()
  const selects: Array<{ key: keyof RunFilters; label: string; values: string[] }> = [
    { key: 'task', label: 'Task', values: options(runs.map(taskName)) },
    { key: 'dsl', label: 'DSL', values: options(runs.map((run) => run.dsl)) },
    { key: 'device', label: 'Device', values: options(runs.map((run) => run.device)) },
    { key: 'status', label: 'Status', values: options(runs.map((run) => run.status)) },
    { key: 'model', label: 'Model', values: options(runs.flatMap(runModels)) },
  ]
  return (
    <div className="filter-bar" role="search" aria-label="Filter runs">
      <input
        type="search"
        aria-label="Search runs"
        placeholder="Search title, task, model, id…"
        value={filters.search}
        onChange={(event) => onChange({ ...filters, search: event.target.value })}
      />
      {selects.map((select) => (
        <label key={select.key} className="filter">
          <span className="muted small">{select.label}</span>
          <select
            aria-label={`Filter by ${select.label.toLowerCase()}`}
            value={filters[select.key]}
            onChange={(event) => onChange({ ...filters, [select.key]: event.target.value })}
          >
            <option value="">all</option>
            {select.values.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
      ))}
      <button type="button" onClick={() => onChange(NO_FILTERS)} disabled={Object.values(filters).every((value) => !value)}>
        Clear
      </button>
    </div>
  )
}

function RunTable({ runs }: { runs: RunSummary[] }) {
  const openRun = useStudio((state) => state.openRun)
  const deleteRun = useStudio((state) => state.deleteRun)
  const pickForCompare = useStudio((state) => state.pickForCompare)
  const [confirming, setConfirming] = useState<string | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  return (
    <>
      {problem ? (
        <Notice tone="error" title="Not deleted">
          {problem}
        </Notice>
      ) : null}
      <table className="data-table" data-testid="run-table">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Status</th>
            <th scope="col">DSL · device</th>
            <th scope="col">Workflow</th>
            <th scope="col">Model</th>
            <th scope="col">Candidates (correct)</th>
            <th scope="col">Best vs eager</th>
            <th scope="col">Best vs compile</th>
            <th scope="col">Started</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id}>
              <RunTitleCell run={run} onOpen={(id) => void openRun(id)} />
              <td>
                <RunStatusBadge run={run} />
                {run.owner ? (
                  <span className="muted small">
                    {' '}
                    pid {run.owner.pid} ({run.owner.program})
                  </span>
                ) : run.endReason ? (
                  <span className="muted small"> {run.endReason}</span>
                ) : null}
              </td>
              <td>
                {run.dsl} · {run.device}
              </td>
              <td>{run.workflow}</td>
              <td className="mono small">{runModels(run).join(', ') || '—'}</td>
              <td className="num">
                {run.candidates} ({run.correctCandidates})
              </td>
              <td className="num">
                {formatSpeedup(run.best?.speedupVsEager)} <NoisyBadge noisy={run.best?.noisy} />
              </td>
              <td className="num">{formatSpeedup(run.best?.speedupVsCompile)}</td>
              <td className="muted small">{new Date(run.createdAt).toLocaleString()}</td>
              <td>
                <button
                  type="button"
                  aria-label={`Compare the best of ${run.title}`}
                  disabled={!run.best}
                  title={run.best ? 'Compare its best candidate with another' : 'No correct candidate to compare'}
                  onClick={() => run.best && pickForCompare(run.id, run.best.candidateId)}
                >
                  Compare
                </button>{' '}
                {confirming === run.id ? (
                  <span className="confirm">
                    <button
                      type="button"
                      className="danger"
                      onClick={() =>
                        void deleteRun(run.id).then((error) => {
                          setConfirming(null)
                          setProblem(error?.message ?? null)
                        })
                      }
                    >
                      Delete run and folder
                    </button>
                    <button type="button" onClick={() => setConfirming(null)}>
                      Keep
                    </button>
                  </span>
                ) : (
                  <button
                    type="button"
                    aria-label={`Delete ${run.title}`}
                    disabled={run.status === 'running' || run.status === 'running-elsewhere'}
                    title={run.status === 'running' || run.status === 'running-elsewhere' ? 'Cancel the run first' : 'Delete this run and its folder'}
                    onClick={() => setConfirming(run.id)}
                  >
                    Delete…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

function LiveOnly({ ids }: { ids: string[] }) {
  const openRun = useStudio((state) => state.openRun)
  return (
    <Notice tone="info" title="Streaming runs not in the store's list">
      {ids.map((id) => (
        <button key={id} type="button" className="link" onClick={() => void openRun(id)}>
          {id}
        </button>
      ))}
    </Notice>
  )
}

/** Folders in the run store that are not readable runs: listed with the reason, never hidden or deleted. */
function UnreadableRuns({ folders }: { folders: UnreadableRun[] }) {
  return (
    <Notice tone="warning" title={`${folders.length} run folder${folders.length === 1 ? '' : 's'} cannot be read`}>
      <ul className="unreadable-runs" data-testid="unreadable-runs">
        {folders.map((folder) => (
          <li key={folder.id}>
            <span className="mono">{folder.id}</span>: {folder.reason}
          </li>
        ))}
      </ul>
      <p className="muted small">Nothing in these folders was changed; fix the file named, then reopen this view.</p>
    </Notice>
  )
}
