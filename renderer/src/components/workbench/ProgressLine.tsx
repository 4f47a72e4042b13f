import { useEffect, useState } from 'react'

const seconds = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`)

/**
 * A long action's stage, the time it has taken and, where a typical duration is known, an
 * estimate of what is left (never below zero: past the typical time it says so).
 */
export function ProgressLine({
  label,
  stage,
  startedAt,
  running,
  step,
  steps,
  typicalMs,
}: {
  label: string
  stage: string
  startedAt: number
  running: boolean
  step?: number
  steps?: number
  typicalMs?: number
}) {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    if (!running) return
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [running])
  const elapsed = Math.max(0, now - startedAt)
  const estimate = typicalMs === undefined ? null : elapsed < typicalMs ? `about ${seconds(typicalMs - elapsed)} left` : 'taking longer than usual'
  return (
    <div className="progress-line" role="status" aria-live="polite" data-testid="progress-line">
      <progress className="progress" max={steps ?? 1} value={running ? (step ?? undefined) : (steps ?? 1)} aria-label={label} />
      <span className="small">
        {step !== undefined && steps ? `step ${step} of ${steps} · ` : ''}
        {stage} · {seconds(elapsed)}
        {running && estimate ? ` · ${estimate}` : ''}
      </span>
    </div>
  )
}
