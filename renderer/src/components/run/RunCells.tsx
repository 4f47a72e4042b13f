import type { RunSummary } from '../../../../agents/contract/index.ts'

/** A run's title as a link that opens it, marked when its answers were replayed. */
export function RunTitleCell({ run, onOpen }: { run: RunSummary; onOpen: (runId: string) => void }) {
  return (
    <th scope="row">
      <button type="button" className="link" onClick={() => onOpen(run.id)}>
        {run.title}
      </button>
      {run.replay ? (
        <span className="badge replay" title="Answers played back from a cassette; kernels verified and timed for real">
          replay
        </span>
      ) : null}
    </th>
  )
}

/** A run's status badge, in words. */
export function RunStatusBadge({ run }: { run: RunSummary }) {
  return <span className={`badge status-${run.status}`}>{run.status === 'running-elsewhere' ? 'running elsewhere' : run.status}</span>
}
