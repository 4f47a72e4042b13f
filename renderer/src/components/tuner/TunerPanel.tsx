import { useEffect } from 'react'
import type { TuneSession } from '../../../../agents/contract/index.ts'
import { useStudio } from '../../store/index.ts'
import { Notice } from '../Notice.tsx'
import { TuneForm } from './TuneForm.tsx'
import { describeParams, TuneScatter } from './TuneScatter.tsx'

const microseconds = (ms: number | null) => (ms === null ? '—' : `${(ms * 1000).toFixed(2)} µs`)

/**
 * Evaluations counted against the budget: the tuner's own count once it finished, else the search
 * records so far (confirmation re-timings are not search evaluations). The chip and the stats share it.
 */
export const evaluatedCount = (session: TuneSession): number => session.evaluations ?? session.records.filter((record) => record.phase !== 'confirm').length

/** The tuner: start a search, and watch it run (configurations against latency, best so far, failures). */
export function TunerPanel() {
  const order = useStudio((state) => state.tuneOrder)
  const sessions = useStudio((state) => state.tuneSessions)
  const selected = useStudio((state) => state.selectedTuneId)
  const select = useStudio((state) => state.selectTune)
  const load = useStudio((state) => state.loadTuneSessions)
  useEffect(() => void load(), [load])
  const session = selected ? sessions[selected] : undefined
  return (
    <section className="view" aria-labelledby="tune-title">
      <header className="pane-header">
        <h1 id="tune-title">Tune</h1>
      </header>
      <p className="muted small">
        Searches the parameters a passing kernel declares (block sizes, warps, stages, tiles, threads) with the strategy configured for its DSL, device and
        kernel. Every configuration is verified before it is timed. No model is involved.
      </p>
      <TuneForm />
      {order.length > 0 ? (
        <div className="segmented wrap-buttons" role="group" aria-label="Tuning sessions">
          {order.map((id) => (
            <button key={id} type="button" aria-pressed={id === selected} className={id === selected ? 'active' : ''} onClick={() => select(id)}>
              {sessions[id]!.kernel} · {evaluatedCount(sessions[id]!)}/{sessions[id]!.strategy.budget.evaluations} · {sessions[id]!.state}
            </button>
          ))}
        </div>
      ) : null}
      {session ? <SessionDetail session={session} /> : null}
    </section>
  )
}

function SessionDetail({ session }: { session: TuneSession }) {
  const cancel = useStudio((state) => state.cancelTune)
  const searched = session.records.filter((record) => record.phase !== 'confirm')
  const failures = searched.filter((record) => record.status === 'failed' || record.status === 'violates')
  const ranked = searched.filter((record) => record.latencyMs !== null).sort((a, b) => a.latencyMs! - b.latencyMs!)
  const confirmation = session.confirmation ?? null
  const baselineMs = confirmation?.configurations.find((item) => item.isDefault)?.confirmedMedianMs ?? session.baseline?.latencyMs
  const gain = session.best?.latencyMs && baselineMs ? baselineMs / session.best.latencyMs : null
  return (
    <div className="run-view" data-testid="tune-session">
      <div className="run-header">
        <h2>{session.kernel}</h2>
        <span className={`badge status-${session.state}`}>{session.state}</span>
        <span className="muted small mono">
          {session.dsl} on {session.device} ({session.deviceFamily}) ·{' '}
          {session.space.parameters.map((item) => `${item.name}[${item.values.join(',')}]`).join(' ')} = {session.space.size} configurations
        </span>
        {session.state === 'running' ? (
          <button type="button" onClick={() => void cancel(session.id)}>
            Cancel
          </button>
        ) : null}
      </div>
      <div className="panel">
        <h3 className="group-title">Strategy and why</h3>
        <ul className="notes" data-testid="tune-reasons">
          {session.strategy.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
        {session.notes.map((note) => (
          <p key={note} className="muted small">
            note: {note}
          </p>
        ))}
      </div>
      <dl className="metric-cards" aria-label="Progress">
        <div>
          <dt>evaluated</dt>
          <dd data-testid="tune-evaluated">
            {evaluatedCount(session)} / {session.strategy.budget.evaluations}
          </dd>
        </div>
        <div>
          <dt>failed</dt>
          <dd>{failures.length}</dd>
        </div>
        <div>
          <dt>skipped (constraints)</dt>
          <dd>{session.skipped.length}</dd>
        </div>
        <div>
          <dt>{session.best?.phase === 'confirm' ? 'best (confirmed)' : 'best so far'}</dt>
          <dd data-testid="tune-best">{session.best ? microseconds(session.best.latencyMs) : session.strategy.timing ? '—' : 'not timed'}</dd>
        </div>
        {gain ? (
          <div>
            <dt>vs the candidate's own</dt>
            <dd>{gain.toFixed(2)}x</dd>
          </div>
        ) : null}
      </dl>
      {session.best ? (
        <p className="small">
          best configuration <span className="mono">{describeParams(session.best)}</span>
          {session.bestCandidatePath ? (
            <>
              {' '}
              · new candidate <span className="mono">{session.bestCandidatePath}</span>
            </>
          ) : null}
        </p>
      ) : null}
      {session.error ? (
        <Notice tone="error" title="The search failed" code={session.error.code}>
          {session.error.message}
        </Notice>
      ) : null}
      <TuneScatter session={session} />
      {confirmation ? (
        <div className="panel">
          <h3 className="group-title">
            Confirmation: {confirmation.configurations.length} finalists, {confirmation.rounds} interleaved rounds of {confirmation.timingTrialsPerRound} trials
            {confirmation.changedWinner ? " · replaced the search's fastest" : ''}
          </h3>
          <div className="table-scroll">
            <table className="data-table compact" data-testid="tune-confirmation">
              <thead>
                <tr>
                  <th scope="col">configuration</th>
                  <th scope="col">search median</th>
                  <th scope="col">confirmed median</th>
                  <th scope="col">rounds</th>
                </tr>
              </thead>
              <tbody>
                {confirmation.configurations.map((item) => (
                  <tr key={describeParams(item)}>
                    <td className="mono small">
                      {describeParams(item)}
                      {item.isDefault ? ' (own)' : ''}
                    </td>
                    <td className="num">{microseconds(item.searchMedianMs)}</td>
                    <td className="num">{item.error ? <span title={item.error.message}>{item.error.stage}</span> : microseconds(item.confirmedMedianMs)}</td>
                    <td className="num small">{item.roundMediansMs.map((value) => (value * 1000).toFixed(1)).join(' / ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
      <div className="two-tables">
        <div className="panel">
          <h3 className="group-title">Failures ({failures.length})</h3>
          {failures.length === 0 ? (
            <p className="muted small">None so far.</p>
          ) : (
            <div className="table-scroll">
              <table className="data-table compact" data-testid="tune-failures">
                <thead>
                  <tr>
                    <th scope="col">configuration</th>
                    <th scope="col">stage</th>
                    <th scope="col">error</th>
                  </tr>
                </thead>
                <tbody>
                  {failures.map((record) => (
                    <tr key={record.index}>
                      <td className="mono small">{describeParams(record)}</td>
                      <td>{record.error?.stage}</td>
                      <td className="small">{record.error?.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
        <div className="panel">
          <h3 className="group-title">Fastest</h3>
          <div className="table-scroll">
            <table className="data-table compact">
              <thead>
                <tr>
                  <th scope="col">configuration</th>
                  <th scope="col">search median</th>
                  <th scope="col">trials</th>
                </tr>
              </thead>
              <tbody>
                {ranked.slice(0, 12).map((record) => (
                  <tr key={record.index}>
                    <td className="mono small">{describeParams(record)}</td>
                    <td className="num">{microseconds(record.latencyMs)}</td>
                    <td className="num">{record.timingTrials ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </div>
  )
}
