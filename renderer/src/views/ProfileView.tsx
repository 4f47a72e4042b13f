import { useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { Notice } from '../components/Notice.tsx'
import { CachedMeasurements } from '../components/terminal/CachedMeasurements.tsx'
import { timingTrust } from '../lib/trust.ts'
import { KernelBreakdown, LatencySpread } from '../components/profile/ProfileCharts.tsx'
import { MetricsComparison } from '../components/profile/MetricsComparison.tsx'
import { NcuComparison } from '../components/profile/NcuComparison.tsx'
import { ncuSection, ncuSectionError, summarizeNcu } from '../lib/ncu-view.ts'
import { BandwidthChart, formatFlops, RooflineChart } from '../components/profile/RooflineChart.tsx'
import { bandwidthUse, roofline } from '../lib/profile-data.ts'
import { candidateKey } from '../store/candidates-slice.ts'
import { useStudio } from '../store/index.ts'

/** The profile of one candidate against its baselines: roofline, ncu metrics, kernels, latency. */
export function ProfileView() {
  const runId = useStudio((state) => state.selectedRunId)
  const candidateId = useStudio((state) => state.selectedCandidateId)
  const liveVerdict = useStudio((state) => (runId && candidateId ? (state.runModels[runId]?.candidates[candidateId]?.verdict ?? null) : null))
  const analysis = useStudio((state) => (runId && candidateId ? (state.runModels[runId]?.candidates[candidateId]?.analysis ?? null) : null))
  const detail = useStudio((state) => (runId && candidateId ? state.candidateDetails[candidateKey(runId, candidateId)] : undefined))
  const loadCandidate = useStudio((state) => state.loadCandidate)
  const setView = useStudio((state) => state.setView)
  const [compareWith, setCompareWith] = useState<string>('baseline')
  // useShallow: a new array of the same ids must not re-render the view.
  const others = useStudio(
    useShallow((state) => {
      const model = runId ? state.runModels[runId] : undefined
      return model ? model.candidateOrder.filter((id) => id !== candidateId && model.candidates[id]?.verdict?.correct) : []
    }),
  )
  const otherVerdict = useStudio((state) => (runId && compareWith !== 'baseline' ? (state.runModels[runId]?.candidates[compareWith]?.verdict ?? null) : null))
  useEffect(() => {
    if (runId && candidateId) void loadCandidate(runId, candidateId)
  }, [runId, candidateId, loadCandidate])
  if (!runId || !candidateId) {
    return (
      <section className="view">
        <p className="muted">Open a candidate in a run first; its profile shows here.</p>
        <button type="button" onClick={() => setView('runs')}>
          Runs
        </button>
      </section>
    )
  }
  const verdict = (detail?.state === 'ready' ? detail.value.verdict : null) ?? liveVerdict
  const left = summarizeNcu(ncuSection(verdict, 'candidate'), candidateId)
  const right =
    compareWith === 'baseline'
      ? summarizeNcu(ncuSection(verdict, 'baseline'), 'eager baseline')
      : summarizeNcu(ncuSection(otherVerdict, 'candidate'), compareWith)
  const missing = !left
    ? ncuSectionError(ncuSection(verdict, 'candidate'))
    : !right
      ? ncuSectionError(compareWith === 'baseline' ? ncuSection(verdict, 'baseline') : ncuSection(otherVerdict, 'candidate'))
      : null
  const points = roofline(verdict)
  const bandwidth = bandwidthUse(verdict)
  return (
    <section className="view profile-view" aria-labelledby="profile-title">
      <header className="pane-header">
        <h1 id="profile-title">Profile of {candidateId}</h1>
        <button type="button" onClick={() => setView('run')}>
          Back to the run
        </button>
      </header>
      {!verdict ? (
        <Notice tone="info" title="Not verified yet">
          The profile appears once the harness has verified and timed this candidate.
        </Notice>
      ) : null}
      {analysis ? (
        <Notice tone="info" title={`Analysis: ${analysis.bound}`}>
          {analysis.summary}
          {analysis.facts && analysis.facts.length > 0 ? (
            <ul className="diagnosis-facts" aria-label="Diagnosis facts">
              {analysis.facts.map((fact) => (
                <li key={fact}>{fact}</li>
              ))}
            </ul>
          ) : null}
        </Notice>
      ) : null}
      {verdict ? (
        <section className="panel" aria-label="Nsight Compute comparison">
          <header className="panel-header">
            <h2>Nsight Compute: {candidateId} against</h2>
            <select aria-label="Compare with" value={compareWith} onChange={(event) => setCompareWith(event.target.value)}>
              <option value="baseline">the eager baseline</option>
              {others.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
          </header>
          {left && right ? (
            <NcuComparison left={left} right={right} />
          ) : (
            <p className="muted">
              {!left
                ? 'This candidate has no Nsight Compute metrics'
                : `${compareWith === 'baseline' ? 'The eager baseline' : compareWith} has no Nsight Compute metrics`}
              {missing ? `: ${missing}` : '.'} Runs with an optimize step on a CUDA device collect them for every correct candidate and for the eager baseline;
              ncu must be on PATH (Toolchains shows whether it was found).
            </p>
          )}
        </section>
      ) : null}
      {verdict ? (
        <div className="profile-grid">
          <section className="panel" aria-label="Roofline">
            <header className="panel-header">
              <h2>Roofline</h2>
              {points?.peakFlopsPerSecond ? (
                <span className="muted small">
                  peak {formatFlops(points.peakFlopsPerSecond)}
                  {points.peakBytesPerSecond ? ` · ${(points.peakBytesPerSecond / 1e9).toPrecision(3)} GB/s` : ''}
                </span>
              ) : null}
            </header>
            {points && points.points.length > 0 ? (
              <RooflineChart data={points} />
            ) : bandwidth && bandwidth.sides.length > 0 ? (
              <>
                <p className="muted small">
                  This task's FLOPs are not counted (element-wise work), so it has no arithmetic intensity; it is bounded by memory. Achieved bandwidth instead:
                </p>
                <BandwidthChart peakGbs={bandwidth.peakGbs} sides={bandwidth.sides} />
              </>
            ) : (
              <p className="muted">No roofline: the verdict has no FLOP and byte counts for this task.</p>
            )}
            {points && points.points.length > 0 && !points.peakFlopsPerSecond ? (
              <p className="muted small">The device's peaks are unknown, so no roofs are drawn.</p>
            ) : null}
          </section>
          <section className="panel" aria-label="Profiler metrics">
            <header className="panel-header">
              <h2>Profiler metrics against the baseline</h2>
            </header>
            <MetricsComparison verdict={verdict} />
          </section>
          <section className="panel" aria-label="Kernel time breakdown">
            <header className="panel-header">
              <h2>Kernel time: eager against candidate</h2>
            </header>
            <KernelBreakdown verdict={verdict} />
          </section>
          <section className="panel" aria-label="Latency spread">
            <header className="panel-header">
              <h2>Latency spread</h2>
            </header>
            <LatencySpread verdict={verdict} />
            <p className="small muted" data-testid="profile-baseline">
              {timingTrust(verdict).noisy ? 'Timing noisy: the median is not trustworthy. ' : ''}
              {timingTrust(verdict).baseline}
              {verdict.roofline?.peaks_source ? ` · peaks: ${String(verdict.roofline.peaks_source)}` : ''}
            </p>
            {typeof verdict.task === 'string' ? <CachedMeasurements task={verdict.task} /> : null}
          </section>
        </div>
      ) : null}
    </section>
  )
}
