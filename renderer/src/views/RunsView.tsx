import { useStudio } from '../store/index.ts'

/** Runs appear here as the agent core records them; until one exists, say how to start one. */
export function RunsView() {
  const setView = useStudio((state) => state.setView)
  return (
    <section className="view" aria-labelledby="runs-title">
      <header className="pane-header">
        <h1 id="runs-title">Runs</h1>
      </header>
      <div className="empty">
        <p>No runs recorded on this machine yet.</p>
        <p className="muted">A run takes a task, a target DSL and a device, and drives the Designer, Coder, Verifier and Conductor until a kernel is correct and fast or the budget is spent.</p>
        <button type="button" onClick={() => setView('tasks')}>Choose a task</button>
      </div>
    </section>
  )
}
