import { useEffect } from 'react'
import type { CandidateDetail } from '../../../agents/contract/index.ts'
import { DiffView } from '../components/DiffView.tsx'
import { Notice } from '../components/Notice.tsx'
import { formatSpeedup } from '../components/run/SpeedupChart.tsx'
import { candidateKey } from '../store/candidates-slice.ts'
import { useStudio } from '../store/index.ts'
import { timingTrust } from '../lib/trust.ts'

const ms = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${value.toFixed(4)} ms`)

/** Two candidates side by side (of one run or two): code diff, verdict and timing. */
export function CompareView() {
  const picks = useStudio((state) => state.comparePicks)
  const details = useStudio((state) => state.candidateDetails)
  const load = useStudio((state) => state.loadCandidate)
  const clear = useStudio((state) => state.clearCompare)
  const theme = useStudio((state) => state.theme)
  useEffect(() => {
    for (const pick of picks) void load(pick.runId, pick.candidateId)
  }, [picks, load])
  const sides = picks.map((pick) => ({ pick, detail: details[candidateKey(pick.runId, pick.candidateId)] }))
  const values = sides.map((side) => (side.detail?.state === 'ready' ? side.detail.value : null))
  // A side still being read says so: a dash would read as "no verdict".
  const pending = sides.map((side) => side.detail === undefined || side.detail.state === 'loading')
  const cellsOf = (cell: (value: CandidateDetail | null) => string) => values.map((value, index) => (pending[index] ? 'loading…' : cell(value)))
  const label = (index: number) => (picks[index] ? `${picks[index].runId} / ${picks[index].candidateId}` : '')
  return (
    <section className="view compare-view" aria-labelledby="compare-title">
      <header className="pane-header">
        <h1 id="compare-title">Compare</h1>
        <button type="button" onClick={clear} disabled={picks.length === 0}>
          Clear
        </button>
      </header>
      {picks.length < 2 ? (
        <Notice tone="info" title={`Pick ${2 - picks.length} more`}>
          Use “Compare” on a candidate (in a run) or on a run (its best candidate) in the Runs list.
        </Notice>
      ) : null}
      {sides.map((side) =>
        side.detail?.state === 'error' ? (
          <Notice key={side.pick.candidateId} tone="error" title="Could not read" code={side.detail.code}>
            {side.detail.message}
          </Notice>
        ) : null,
      )}
      {picks.length > 0 ? (
        <table className="data-table" data-testid="compare-table">
          <thead>
            <tr>
              <th scope="col" />
              {picks.map((_, index) => (
                <th key={index} scope="col" className="mono">
                  {label(index)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <Row
              title="verdict"
              cells={cellsOf((value) =>
                value?.verdict
                  ? `${value.verdict.status}${value.verdict.correct ? ' · correct' : ''}${value.verdict.interpreted ? ' · interpreted, not timed' : ''}`
                  : '—',
              )}
            />
            <Row title="median" cells={cellsOf((value) => ms(value?.verdict?.timing?.candidate.median_ms))} />
            <Row title="eager" cells={cellsOf((value) => ms(value?.verdict?.timing?.eager?.median_ms))} />
            <Row title="vs eager" cells={cellsOf((value) => formatSpeedup(value?.verdict?.timing?.speedup_vs_eager))} />
            <Row title="vs torch.compile" cells={cellsOf((value) => formatSpeedup(value?.verdict?.timing?.speedup_vs_compile))} />
            <Row title="timing" cells={cellsOf((value) => timingNote(value))} />
            <Row title="origin" cells={cellsOf((value) => describe(value))} />
          </tbody>
        </table>
      ) : null}
      {values[0]?.code != null && values[1]?.code != null ? (
        <div className="compare-diff" data-testid="compare-diff">
          <DiffView before={values[0].code} after={values[1].code} beforeLabel={label(0)} afterLabel={label(1)} theme={theme} />
        </div>
      ) : null}
    </section>
  )
}

/** Whether a side's speedups can be compared at all: a noisy timing is said, with where its eager baseline came from. */
const timingNote = (value: CandidateDetail | null) => {
  if (!value?.verdict?.timing) return '—'
  const trust = timingTrust(value.verdict)
  return [trust.noisy ? 'noisy: spread too large to trust the median' : 'quiet', trust.baseline].filter(Boolean).join(' · ')
}

const describe = (value: CandidateDetail | null) =>
  value ? `${value.candidate.origin}${value.candidate.parentId ? ` of ${value.candidate.parentId}` : ''} · step ${value.candidate.step}` : '—'

function Row({ title, cells }: { title: string; cells: string[] }) {
  return (
    <tr>
      <th scope="row">{title}</th>
      {cells.map((cell, index) => (
        <td key={index} className="num">
          {cell}
        </td>
      ))}
    </tr>
  )
}
