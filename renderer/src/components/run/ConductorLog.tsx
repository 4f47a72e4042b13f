import { useStudio } from '../../store/index.ts'

/** Decisions shown, newest first; the full list is in the run's log. */
const SHOWN = 200

/** The Conductor's decisions with their reasons, and the run's errors and notes. */
export function ConductorLog({ runId }: { runId: string }) {
  const decisions = useStudio((state) => state.runModels[runId]?.decisions)
  const notes = useStudio((state) => state.runModels[runId]?.notes)
  const selectCandidate = useStudio((state) => state.selectCandidate)
  const shown = (decisions ?? []).slice(-SHOWN).reverse()
  return (
    <section className="panel" aria-label="Conductor decisions">
      <header className="panel-header">
        <h2>Conductor</h2>
        <span className="muted small">{decisions?.length ?? 0} decisions</span>
      </header>
      {notes && notes.length > 0 ? (
        <ul className="notes">
          {notes.slice(-5).map((entry) => (
            <li key={entry.seq} className={entry.tone === 'error' ? 'note-error' : ''}>
              {entry.text}
            </li>
          ))}
        </ul>
      ) : null}
      <ol className="decisions" data-testid="conductor-decisions">
        {shown.map((decision) => (
          <li key={decision.seq}>
            <span className={`action action-${decision.action}`}>{decision.action}</span>
            {decision.candidateId ? (
              <button type="button" className="link" onClick={() => selectCandidate(decision.candidateId)}>
                {decision.candidateId}
              </button>
            ) : null}
            <span className="reason">{decision.reason}</span>
          </li>
        ))}
        {shown.length === 0 ? <li className="muted">No decision yet.</li> : null}
      </ol>
    </section>
  )
}
