import { useEffect } from 'react'
import type { RunSummary } from '../../../agents/contract/index.ts'
import { Notice } from '../components/Notice.tsx'
import { formatSpeedup } from '../components/run/SpeedupChart.tsx'
import { useStudio } from '../store/index.ts'

/** Every run on this machine, newest first, with live ones seen through their events as well. */
export function RunsView() {
  const runList = useStudio((state) => state.runList)
  const loadRuns = useStudio((state) => state.loadRuns)
  const setView = useStudio((state) => state.setView)
  const liveOnly = useStudio((state) => Object.values(state.runModels).filter((model) => model.spec && !(state.runList.state === 'ready' && state.runList.value.some((run) => run.id === model.runId))).map((model) => model.runId).join(','))
  useEffect(() => {
    void loadRuns()
  }, [loadRuns])
  const runs = runList.state === 'ready' ? runList.value : []
  return (
    <section className="view" aria-labelledby="runs-title">
      <header className="pane-header">
        <h1 id="runs-title">Runs</h1>
        <button type="button" onClick={() => setView('new-run')}>New run</button>
      </header>
      {runList.state === 'error' ? <Notice tone="error" title="Could not list runs" code={runList.code}>{runList.message}</Notice> : null}
      {runList.state === 'loading' ? <p className="muted">Reading the run store…</p> : null}
      {runs.length === 0 && !liveOnly && runList.state === 'ready' ? (
        <div className="empty">
          <p>No runs recorded on this machine yet.</p>
          <p className="muted">A run takes a task, a target DSL and a device, and drives the Designer, Coder, Verifier and Conductor until a kernel is correct and fast or the budget is spent.</p>
          <button type="button" onClick={() => setView('new-run')}>Start a run</button>
        </div>
      ) : null}
      {liveOnly ? <LiveOnly ids={liveOnly.split(',')} /> : null}
      {runs.length > 0 ? <RunTable runs={runs} /> : null}
    </section>
  )
}

function RunTable({ runs }: { runs: RunSummary[] }) {
  const openRun = useStudio((state) => state.openRun)
  return (
    <table className="data-table" data-testid="run-table">
      <thead>
        <tr>
          <th scope="col">Run</th><th scope="col">Status</th><th scope="col">DSL · device</th><th scope="col">Workflow</th>
          <th scope="col">Candidates (correct)</th><th scope="col">Best vs eager</th><th scope="col">Best vs compile</th><th scope="col">Started</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id}>
            <th scope="row"><button type="button" className="link" onClick={() => void openRun(run.id)}>{run.title}</button></th>
            <td><span className={`badge status-${run.status}`}>{run.status}</span>{run.endReason ? <span className="muted small"> {run.endReason}</span> : null}</td>
            <td>{run.dsl} · {run.device}</td>
            <td>{run.workflow}</td>
            <td className="num">{run.candidates} ({run.correctCandidates})</td>
            <td className="num">{formatSpeedup(run.best?.speedupVsEager)}</td>
            <td className="num">{formatSpeedup(run.best?.speedupVsCompile)}</td>
            <td className="muted small">{new Date(run.createdAt).toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function LiveOnly({ ids }: { ids: string[] }) {
  const openRun = useStudio((state) => state.openRun)
  return (
    <Notice tone="info" title="Streaming runs not in the store's list">
      {ids.map((id) => <button key={id} type="button" className="link" onClick={() => void openRun(id)}>{id}</button>)}
    </Notice>
  )
}
