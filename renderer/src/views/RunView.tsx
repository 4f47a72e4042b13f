import { useState } from 'react'
import type { UsageTotals } from '../../../agents/contract/index.ts'
import { AgentStreams } from '../components/run/AgentStreams.tsx'
import { CandidatePanel } from '../components/run/CandidatePanel.tsx'
import { CandidateTable } from '../components/run/CandidateTable.tsx'
import { ConductorLog } from '../components/run/ConductorLog.tsx'
import { CycleTimeline } from '../components/run/CycleTimeline.tsx'
import { LineageGraph } from '../components/run/LineageGraph.tsx'
import { SpeedupChart } from '../components/run/SpeedupChart.tsx'
import { Notice } from '../components/Notice.tsx'
import { ManualPromptCard } from '../components/settings/ManualPrompts.tsx'
import { useStudio } from '../store/index.ts'
import { ProgressLine } from '../components/workbench/ProgressLine.tsx'
import { currentActivity, tokensPerSecond } from '../lib/run-progress.ts'

/** The heart of the studio: one run, live or past, drawn from the same events. */
export function RunView() {
  const runId = useStudio((state) => state.selectedRunId)
  const setView = useStudio((state) => state.setView)
  if (!runId) {
    return (
      <section className="view">
        <p className="muted">No run is open.</p>
        <button type="button" onClick={() => setView('runs')}>
          Choose a run
        </button>
      </section>
    )
  }
  return (
    <section className="view run-view" aria-labelledby="run-title">
      <RunHeader runId={runId} />
      <RunProgress runId={runId} />
      <WaitingForYou runId={runId} />
      <CycleTimeline runId={runId} />
      <div className="run-grid">
        <div className="run-column">
          <SpeedupChart key={runId} runId={runId} />
          <SearchLineage runId={runId} />
          <CandidateTable key={runId} runId={runId} />
          <ConductorLog runId={runId} />
        </div>
        <div className="run-column">
          <CandidatePanel runId={runId} />
          <AgentStreams runId={runId} />
        </div>
      </div>
    </section>
  )
}

/** While the run runs: the step it is in, how long that has taken, and an estimate from the same steps earlier in the run. */
function RunProgress({ runId }: { runId: string }) {
  const running = useStudio((state) => state.runModels[runId]?.status === 'running')
  const candidates = useStudio((state) => state.runModels[runId]?.candidates)
  const activity = running && candidates ? currentActivity(candidates) : null
  if (!activity) return null
  const basis =
    activity.typicalMs === undefined
      ? 'no estimate until one such step has ended'
      : `estimate from ${activity.basis} earlier step${activity.basis === 1 ? '' : 's'} of this run`
  return (
    <div className="run-progress" title={basis}>
      <ProgressLine label="What the run is doing" stage={activity.stage} startedAt={activity.startedAt} running typicalMs={activity.typicalMs} />
    </div>
  )
}

/** A manual provider's prompt this run waits for, answered here: copy the prompt, paste the reply. */
function WaitingForYou({ runId }: { runId: string }) {
  const providers = useStudio((state) =>
    state.runModels[runId]?.status === 'running'
      ? Object.values(state.runModels[runId]?.spec?.models ?? {})
          .map((value) => value.split(':')[0])
          .join(',')
      : '',
  )
  const prompts = useStudio((state) => state.manualPrompts)
  const waiting = Object.values(prompts).filter((prompt) => providers.split(',').includes(prompt.provider))
  if (waiting.length === 0) return null
  return (
    <section className="panel waiting" aria-labelledby="waiting-title" data-testid="manual-waiting">
      <h2 id="waiting-title">This run waits for your answer ({waiting.length})</h2>
      {waiting.map((prompt) => (
        <ManualPromptCard key={prompt.id} prompt={prompt} />
      ))}
    </section>
  )
}

function SearchLineage({ runId }: { runId: string }) {
  const workflow = useStudio((state) => state.runModels[runId]?.spec?.workflow)
  const hasParents = useStudio((state) => (state.runModels[runId]?.candidateOrder.length ?? 0) > 1)
  return workflow === 'evolve' || workflow === 'adaptive' || (workflow === 'optimize' && hasParents) ? <LineageGraph key={runId} runId={runId} /> : null
}

/** Tokens and cost as the provider reported them; a replay ran no model, so it says so instead of a count. */
export function describeUsage(usage: UsageTotals, replay: boolean, outputPerSecond: number | null = null): string {
  const tokens = usage.inputTokens + usage.outputTokens
  if (replay)
    return tokens > 0
      ? `${usage.calls} replayed answers (the cassette recorded ${tokens.toLocaleString('en')} tokens)`
      : `${usage.calls} replayed answers, no model ran`
  const rate = outputPerSecond !== null ? ` · ${outputPerSecond.toFixed(0)} output tokens/s` : ''
  return `${tokens.toLocaleString('en')} tokens${rate}${usage.costUsd !== null ? ` · $${usage.costUsd.toFixed(2)}` : ''}`
}

function RunHeader({ runId }: { runId: string }) {
  const spec = useStudio((state) => state.runModels[runId]?.spec ?? null)
  const status = useStudio((state) => state.runModels[runId]?.status ?? 'running')
  const endReason = useStudio((state) => state.runModels[runId]?.endReason ?? null)
  const endDetail = useStudio((state) => state.runModels[runId]?.endDetail ?? null)
  const steps = useStudio((state) => state.runModels[runId]?.steps ?? 0)
  const candidateCount = useStudio((state) => state.runModels[runId]?.candidateOrder.length ?? 0)
  // Zero until the first model call reports; a run that made none shows no usage.
  const usage = useStudio((state) => {
    const totals = state.runModels[runId]?.usage
    return totals && totals.calls > 0 ? totals : null
  })
  const replay = useStudio(
    (state) =>
      state.runModels[runId]?.replayed === true || Object.values(state.runModels[runId]?.spec?.models ?? {}).some((value) => value.startsWith('cassette:')),
  )
  const eventCount = useStudio((state) => state.runModels[runId]?.eventCount ?? 0)
  const candidates = useStudio((state) => state.runModels[runId]?.candidates)
  const rate = usage && candidates ? tokensPerSecond(usage.outputTokens, candidates) : null
  const error = useStudio((state) => state.runErrors[runId])
  const cancelRun = useStudio((state) => state.cancelRun)
  const resumeRun = useStudio((state) => state.resumeRun)
  // The log alone cannot tell a live run from one whose process died; the backend's summary can.
  const interrupted = useStudio(
    (state) => state.runList.state === 'ready' && state.runList.value.some((run) => run.id === runId && run.status === 'interrupted'),
  )
  const owner = useStudio((state) => (state.runList.state === 'ready' ? (state.runList.value.find((run) => run.id === runId)?.owner ?? null) : null))
  const [cancelError, setCancelError] = useState<string | null>(null)
  return (
    <header className="run-header">
      <div>
        <h1 id="run-title">
          {spec?.title ?? runId}
          {replay ? (
            <span
              className="badge replay"
              data-testid="replay-badge"
              title="The model's answers are played back from a recorded cassette; the kernels are compiled, checked and timed for real."
            >
              replay
            </span>
          ) : null}
        </h1>
        <p className="muted small">
          {spec ? `${spec.dsl} on ${spec.device} · ${spec.workflow} · ` : ''}
          {steps} {steps === 1 ? 'step' : 'steps'} · {candidateCount} candidates · {eventCount} events
          {usage ? ` · ${describeUsage(usage, replay, rate)}` : ''}
        </p>
      </div>
      <span className={`badge run-status status-${status}`} data-testid="run-status">
        {status}
        {endReason && endReason !== status ? ` · ${endReason}` : ''}
      </span>
      {interrupted ? (
        <button type="button" onClick={() => void resumeRun(runId).then((problem) => setCancelError(problem?.message ?? null))}>
          Resume run
        </button>
      ) : owner ? (
        <p className="muted small" data-testid="run-owner">
          Running elsewhere: process {owner.pid} ({owner.program}) on {owner.hostname}; cancel it there.
        </p>
      ) : status === 'running' ? (
        <button type="button" onClick={() => void cancelRun(runId).then((problem) => setCancelError(problem?.message ?? null))}>
          Cancel run
        </button>
      ) : null}
      {endDetail ? <p className="run-detail muted small">{endDetail}</p> : null}
      {error ? (
        <Notice tone="error" title="Could not read this run's log" code={error.code}>
          {error.message}
        </Notice>
      ) : null}
      {cancelError ? (
        <Notice tone="error" title={interrupted ? 'Not resumed' : 'Not cancelled'}>
          {cancelError}
        </Notice>
      ) : null}
    </header>
  )
}
