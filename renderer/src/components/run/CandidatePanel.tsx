import { useEffect, useState } from 'react'
import { candidateKey } from '../../store/candidates-slice.ts'
import { useStudio } from '../../store/index.ts'
import { CodeView } from '../CodeView.tsx'
import { DiffView } from '../DiffView.tsx'
import { Notice } from '../Notice.tsx'
import { EditAndVerify, ForkOptions } from './CandidateActions.tsx'
import { TimingTable, VerdictDetails } from './VerdictDetails.tsx'
import { HotLines } from './HotLines.tsx'

type Tab = 'code' | 'edit' | 'hot' | 'verdict' | 'timing' | 'worker'
const TABS: Array<{ id: Tab; label: string }> = [
  { id: 'code', label: 'Code' },
  { id: 'edit', label: 'Edit' },
  { id: 'hot', label: 'Hot lines' },
  { id: 'verdict', label: 'Verdict' },
  { id: 'timing', label: 'Timing' },
  { id: 'worker', label: 'Worker output' },
]

/** One candidate: its code against its parent's, the verdict, timing statistics, the worker's output. */
export function CandidatePanel({ runId }: { runId: string }) {
  const candidateId = useStudio((state) => state.selectedCandidateId)
  const track = useStudio((state) => (candidateId ? state.runModels[runId]?.candidates[candidateId] : undefined))
  const detail = useStudio((state) => (candidateId ? state.candidateDetails[candidateKey(runId, candidateId)] : undefined))
  const loadCandidate = useStudio((state) => state.loadCandidate)
  const setView = useStudio((state) => state.setView)
  const [forking, setForking] = useState(false)
  const pickForCompare = useStudio((state) => state.pickForCompare)
  const picked = useStudio((state) => state.comparePicks.some((pick) => pick.runId === runId && pick.candidateId === candidateId))
  const dataDir = useStudio((state) => state.dataDir)
  const theme = useStudio((state) => state.theme)
  const [tab, setTab] = useState<Tab>('code')
  const status = track?.record.status
  useEffect(() => {
    if (candidateId) void loadCandidate(runId, candidateId)
  }, [runId, candidateId, status, loadCandidate])

  if (!candidateId || !track) {
    return (
      <section className="panel candidate-panel">
        <p className="muted">Click a lane, a node or a point to open a candidate.</p>
      </section>
    )
  }
  const record = track.record
  const value = detail?.state === 'ready' ? detail.value : null
  const verdict = value?.verdict ?? track.verdict
  return (
    <section className="panel candidate-panel" aria-label={`Candidate ${candidateId}`} data-testid="candidate-panel">
      <header className="panel-header">
        <h2>{candidateId}</h2>
        <span className="muted small">
          {record.origin} · step {record.step}
          {record.island !== null ? ` · island ${record.island}` : ''}
          {record.parentId ? ` · parent ${record.parentId}` : ''} · <span className={`badge status-${record.status}`}>{record.status.replace('_', ' ')}</span>
        </span>
        <button type="button" onClick={() => setView('profile')} disabled={!verdict}>
          Profile
        </button>
        <button type="button" title="Compare this candidate with another, side by side" onClick={() => pickForCompare(runId, candidateId)}>
          {picked ? 'Picked to compare' : 'Compare'}
        </button>
        <button
          type="button"
          title="Start a new run from this candidate's code, with a workflow, budget and model of your choice; it is verified again first"
          disabled={record.codePath === null}
          aria-expanded={forking}
          onClick={() => setForking(!forking)}
        >
          Fork from here…
        </button>
      </header>
      {track.sourceCheck ? (
        <p className={`source-check source-${track.sourceCheck.status}`} data-testid="source-check">
          <strong>
            Against the source kernel ({track.sourceCheck.sourceCandidateId}): {track.sourceCheck.status}
          </strong>{' '}
          · {track.sourceCheck.detail}
        </p>
      ) : null}
      {forking ? <ForkOptions runId={runId} candidateId={candidateId} onClose={() => setForking(false)} /> : null}
      <div className="tabs" role="tablist" aria-label="Candidate details">
        {TABS.map((item) => (
          <button
            key={item.id}
            type="button"
            role="tab"
            aria-selected={tab === item.id}
            className={tab === item.id ? 'tab active' : 'tab'}
            onClick={() => setTab(item.id)}
          >
            {item.label}
          </button>
        ))}
      </div>
      <div className="tab-body" role="tabpanel">
        {detail?.state === 'error' ? (
          <Notice tone="error" title="Could not read the candidate" code={detail.code}>
            {detail.message}
          </Notice>
        ) : null}
        {tab === 'code' ? (
          value?.code == null ? (
            detail?.state === 'error' ? null : (
              <p className="muted">{detail?.state === 'loading' ? 'Reading the code…' : 'No code yet: the Coder has not finished.'}</p>
            )
          ) : value.parentCode != null ? (
            <DiffView before={value.parentCode} after={value.code} beforeLabel={`parent ${record.parentId ?? ''}`} afterLabel={candidateId} theme={theme} />
          ) : (
            <CodeView value={value.code} theme={theme} label={`Code of ${candidateId}`} />
          )
        ) : null}
        {tab === 'hot' ? <HotLines code={value?.code ?? null} verdict={verdict} theme={theme} label={`Hot lines of ${candidateId}`} /> : null}
        {tab === 'edit' ? (
          value?.code == null ? (
            <p className="muted">No code to edit yet.</p>
          ) : (
            <EditAndVerify
              key={`${runId}/${candidateId}`}
              runId={runId}
              candidateId={candidateId}
              code={value.code}
              path={dataDir && record.codePath ? `${dataDir}/runs/${runId}/${record.codePath}` : null}
            />
          )
        ) : null}
        {tab === 'verdict' ? <VerdictDetails verdict={verdict} findings={record.findings} /> : null}
        {tab === 'timing' ? <TimingTable verdict={verdict} /> : null}
        {tab === 'worker' ? <WorkerOutput runId={runId} candidateId={candidateId} /> : null}
      </div>
    </section>
  )
}

/** What the worker reported for this candidate: its environment, stage durations and any traceback. */
function WorkerOutput({ runId, candidateId }: { runId: string; candidateId: string }) {
  const verdict = useStudio((state) => state.runModels[runId]?.candidates[candidateId]?.verdict ?? null)
  const segments = useStudio((state) => state.runModels[runId]?.candidates[candidateId]?.segments ?? [])
  const lines = [
    ...segments.map(
      (segment) =>
        `[${new Date(segment.start).toISOString().slice(11, 23)}] ${segment.kind.padEnd(8)} ${segment.outcome.padEnd(8)} ${segment.end ? `${((segment.end - segment.start) / 1000).toFixed(2)} s` : 'running'}  ${segment.label.split('\n')[0] ?? ''}`,
    ),
    ...(verdict?.durations ? ['', 'harness stage durations:', ...Object.entries(verdict.durations).map(([stage, value]) => `  ${stage}: ${value}`)] : []),
    ...(verdict?.environment
      ? [
          '',
          'environment:',
          ...Object.entries(verdict.environment).map(([key, value]) => `  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`),
        ]
      : []),
    ...(verdict?.error?.traceback ? ['', verdict.error.traceback] : []),
  ]
  return (
    <pre className="stream worker-log" tabIndex={0} aria-label="Worker output">
      {lines.join('\n') || 'Nothing recorded yet.'}
    </pre>
  )
}
