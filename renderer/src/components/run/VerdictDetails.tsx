import type { CheckFinding, TimingStats, Verdict } from '../../../../agents/contract/index.ts'
import { ageText } from '../../lib/trust.ts'

/** Every check the harness ran, the error with its stage, correctness numbers, flags and static findings. */
export function VerdictDetails({ verdict, findings }: { verdict: Verdict | null; findings: CheckFinding[] }) {
  return (
    <div className="verdict" data-testid="verdict">
      {findings.length > 0 ? (
        <>
          <h3>Static checks</h3>
          <ul className="checks">
            {findings.map((finding, index) => (
              <li key={`${finding.rule}-${index}`} className={finding.severity === 'error' ? 'check-failed' : 'check-warning'}>
                <span className="mono">{finding.rule}</span>
                {finding.line !== null ? ` (line ${finding.line})` : ''}: {finding.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {!verdict ? (
        <p className="muted">Not verified yet.</p>
      ) : (
        <>
          <p>
            <span className={`badge status-${verdict.status}`}>{verdict.status.replace('_', ' ')}</span>
            {verdict.interpreted ? <span className="muted"> · checked in Triton's interpreter (no GPU): correctness only, no timing</span> : null}
          </p>
          {verdict.error ? (
            <div className="verdict-error" role="group" aria-label="Error">
              <p>
                <strong>{verdict.error.stage}</strong>: {verdict.error.message}
              </p>
              {verdict.error.traceback ? <pre className="traceback">{verdict.error.traceback}</pre> : null}
            </div>
          ) : null}
          <h3>Harness checks</h3>
          <ul className="checks">
            {verdict.checks.map((check) => (
              <li key={check.name} className={check.passed ? 'check-passed' : 'check-failed'}>
                <span aria-hidden="true">{check.passed ? '✓' : '✗'}</span> <span className="mono">{check.name}</span>
                <span className="sr-only">{check.passed ? 'passed' : 'failed'}</span>
                {check.detail ? <span className="muted"> — {check.detail}</span> : null}
              </li>
            ))}
            {verdict.checks.length === 0 ? <li className="muted">No check ran (the candidate stopped before them).</li> : null}
          </ul>
          {verdict.correctness ? (
            <dl className="facts">
              <dt>trials</dt>
              <dd>{verdict.correctness.trials}</dd>
              <dt>max abs error</dt>
              <dd>{formatNumber(verdict.correctness.max_abs_error)}</dd>
              <dt>max rel error</dt>
              <dd>{formatNumber(verdict.correctness.max_rel_error)}</dd>
              <dt>mismatch ratio</dt>
              <dd>{formatNumber(verdict.correctness.mismatch_ratio)}</dd>
            </dl>
          ) : null}
          {verdict.flags.length > 0 ? (
            <>
              <h3>Flags</h3>
              <ul className="checks">
                {verdict.flags.map((flag) => (
                  <li key={flag.name} className="check-warning">
                    <span className="mono">{flag.name}</span>
                    {flag.detail ? `: ${flag.detail}` : ''}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      )}
    </div>
  )
}

/** Timing statistics of the candidate beside the eager and torch.compile baselines, in ms. */
export function TimingTable({ verdict }: { verdict: Verdict | null }) {
  const timing = verdict?.timing
  if (!timing) return <p className="muted">No timing: {verdict ? 'the candidate did not pass, or ran interpreted' : 'not verified yet'}.</p>
  const rows: Array<[string, TimingStats | null]> = [
    ['candidate', timing.candidate],
    ['eager', timing.eager],
    ['torch.compile', timing.compile],
  ]
  const flag = verdict.flags.find((entry) => entry.name === 'timing_unconfirmed')
  const unconfirmed = flag ? (flag.detail ?? 'timing_unconfirmed') : null
  return (
    <>
      <table className="data-table" data-testid="timing-table">
        <caption>Time per call, ms{timing.clock ? ` (${timing.clock})` : ''}</caption>
        <thead>
          <tr>
            <th scope="col">side</th>
            <th scope="col">median</th>
            <th scope="col">mean</th>
            <th scope="col">min</th>
            <th scope="col">max</th>
            <th scope="col">IQR</th>
            <th scope="col">std</th>
            <th scope="col">trials</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, stats]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              {stats ? (
                <>
                  <td>{stats.median_ms.toFixed(4)}</td>
                  <td>{stats.mean_ms.toFixed(4)}</td>
                  <td>{stats.min_ms.toFixed(4)}</td>
                  <td>{stats.max_ms.toFixed(4)}</td>
                  <td>{stats.iqr_ms.toFixed(4)}</td>
                  <td>{stats.std_ms.toFixed(4)}</td>
                  <td>{stats.trials}</td>
                </>
              ) : (
                <td colSpan={7} className="muted">
                  not measured
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {unconfirmed ? (
        <p className="check-warning" data-testid="timing-unconfirmed">
          No speedup claimed: the candidate&apos;s median was not confirmed by a measurement from outside its process ({unconfirmed}).
        </p>
      ) : (
        <p>
          Speedup: <strong>{timing.speedup_vs_eager?.toFixed(2) ?? '—'}×</strong> over eager, <strong>{timing.speedup_vs_compile?.toFixed(2) ?? '—'}×</strong>{' '}
          over torch.compile (ratio of medians).
        </p>
      )}
      <p className="small" data-testid="baseline-provenance">
        {Object.entries(timing.baseline_cache ?? {}).map(([name, status]) => (
          <span key={name}>
            {name} baseline: {status}
            {timing.baseline_provenance?.[name]?.age_s !== undefined && timing.baseline_provenance?.[name]?.age_s !== null
              ? ` (measured ${ageText(timing.baseline_provenance[name]!.age_s)} ago)`
              : ''}
            .{' '}
          </span>
        ))}
      </p>
    </>
  )
}

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  if (value === 0) return '0'
  return Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5 ? value.toExponential(2) : value.toPrecision(4)
}
