import { useThrottled } from '../../lib/use-throttled.ts'
import { useStudio } from '../../store/index.ts'
import { timingTrust } from '../../lib/trust.ts'
import { formatSpeedup } from './SpeedupChart.tsx'
import { NoisyBadge } from '../NoisyBadge.tsx'

/** Rows re-render at most this often while candidates stream in. */
const TABLE_REDRAW_MS = 300
/** Rows shown at once; the rest page in, so a 10 000-candidate run stays light. */
const PAGE = 100

/** Every candidate as a row: the keyboard way into what the timeline and the graph show. */
export function CandidateTable({ runId }: { runId: string }) {
  const order = useStudio((state) => state.runModels[runId]?.candidateOrder)
  const candidates = useThrottled(
    useStudio((state) => state.runModels[runId]?.candidates),
    TABLE_REDRAW_MS,
  )
  const selectedId = useStudio((state) => state.selectedCandidateId)
  const selectCandidate = useStudio((state) => state.selectCandidate)
  if (!order || !candidates || order.length === 0) return null
  const rows = order.slice(-PAGE).reverse()
  return (
    <section className="panel" aria-label="Candidates">
      <header className="panel-header">
        <h2>Candidates</h2>
        <span className="muted small">{order.length > PAGE ? `latest ${PAGE} of ${order.length}` : `${order.length}`}</span>
      </header>
      <div className="table-scroll">
        <table className="data-table compact" data-testid="candidate-table">
          <thead>
            <tr>
              <th scope="col">id</th>
              <th scope="col">origin</th>
              <th scope="col">status</th>
              <th scope="col">median ms</th>
              <th scope="col">vs eager</th>
              <th scope="col">vs compile</th>
              <th scope="col">timing</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((id) => {
              const track = candidates[id]
              if (!track) return null
              const timing = track.verdict?.timing
              const trust = timingTrust(track.verdict)
              return (
                <tr key={id} className={id === selectedId ? 'selected' : ''}>
                  <th scope="row">
                    <button type="button" className="link mono" aria-pressed={id === selectedId} onClick={() => selectCandidate(id)}>
                      {id}
                    </button>
                  </th>
                  <td>{track.record.origin}</td>
                  <td>
                    <span className={`badge status-${track.record.status}`}>{track.record.status.replace('_', ' ')}</span>
                  </td>
                  <td className="num">{timing ? timing.candidate.median_ms.toFixed(4) : '—'}</td>
                  <td className="num">{formatSpeedup(timing?.speedup_vs_eager)}</td>
                  <td className="num">{formatSpeedup(timing?.speedup_vs_compile)}</td>
                  <td className="small">
                    <NoisyBadge noisy={trust.noisy} />
                    {trust.baseline ? <span className="muted"> {trust.baseline}</span> : null}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
    </section>
  )
}
