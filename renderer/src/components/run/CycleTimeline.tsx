import { useEffect, useMemo, useRef, useState } from 'react'
import { useStudio } from '../../store/index.ts'
import { chartPalette } from '../charts/echarts.ts'
import { AXIS_HEIGHT, candidateLanes, drawTimeline, hitTest, islandLanes, KIND_COLOURS, LANE_HEIGHT, type Lane } from './timeline-draw.ts'

/** Most height the timeline takes; lanes past it scroll. A run of few lanes takes only what it needs. */
const VIEWPORT_MAX_HEIGHT = 300
const VIEWPORT_MIN_HEIGHT = 96
/** A live run's open segments grow with the clock; redraw this often while it runs. */
const LIVE_REDRAW_MS = 500

/** A run fact's ISO time as milliseconds since the epoch, the timeline's axis. */
const parseTime = (time: string | null | undefined): number | null => (time ? Date.parse(time) : null)

/**
 * The cycle timeline: one lane per candidate (or per island), each step a segment on a shared
 * time axis. Drawn on a canvas, visible lanes only, at most once per frame.
 */
export function CycleTimeline({ runId }: { runId: string }) {
  const order = useStudio((state) => state.runModels[runId]?.candidateOrder)
  const candidates = useStudio((state) => state.runModels[runId]?.candidates)
  const startedAt = useStudio((state) => parseTime(state.runModels[runId]?.createdAt))
  const lastTime = useStudio((state) => parseTime(state.runModels[runId]?.updatedAt))
  const running = useStudio((state) => state.runModels[runId]?.status === 'running')
  const selectedId = useStudio((state) => state.selectedCandidateId)
  const selectCandidate = useStudio((state) => state.selectCandidate)
  const theme = useStudio((state) => state.theme)
  const [mode, setMode] = useState<'candidate' | 'island'>('candidate')
  const [scrollTop, setScrollTop] = useState(0)
  const [width, setWidth] = useState(800)
  const [tick, setTick] = useState(() => Date.now())
  const [hover, setHover] = useState<{ x: number; y: number; text: string } | null>(null)
  const canvas = useRef<HTMLCanvasElement>(null)
  const scroller = useRef<HTMLDivElement>(null)

  const lanes: Lane[] = useMemo(
    () => (order && candidates ? (mode === 'candidate' ? candidateLanes(order, candidates) : islandLanes(order, candidates)) : []),
    [order, candidates, mode],
  )
  // A live run is drawn up to the wall clock; a finished one up to its last event.
  const now = running ? Math.max(tick, lastTime ?? 0) : (lastTime ?? tick)
  const timeWindow = useMemo(() => ({ start: startedAt ?? now, end: Math.max(now, (startedAt ?? now) + 1_000) }), [startedAt, now])
  const firstLane = Math.floor(scrollTop / LANE_HEIGHT)
  const viewportHeight = Math.max(VIEWPORT_MIN_HEIGHT, Math.min(VIEWPORT_MAX_HEIGHT, AXIS_HEIGHT + lanes.length * LANE_HEIGHT + 6))

  useEffect(() => {
    if (!running) return
    const timer = setInterval(() => setTick(Date.now()), LIVE_REDRAW_MS)
    return () => clearInterval(timer)
  }, [running])

  useEffect(() => {
    const element = scroller.current
    if (!element) return
    const observer = new ResizeObserver(() => setWidth(element.clientWidth))
    observer.observe(element)
    return () => observer.disconnect()
  }, [])

  useEffect(() => {
    const element = canvas.current
    if (!element) return
    const frame = requestAnimationFrame(() => {
      const ratio = globalThis.devicePixelRatio || 1
      const height = viewportHeight
      if (element.width !== Math.round(width * ratio) || element.height !== Math.round(height * ratio)) {
        element.width = Math.round(width * ratio)
        element.height = Math.round(height * ratio)
      }
      const context = element.getContext('2d')
      if (!context) return
      context.setTransform(ratio, 0, 0, ratio, 0, 0)
      drawTimeline({ context, width, height, lanes, firstLane, window: timeWindow, now, selectedId, palette: chartPalette(theme) })
    })
    return () => cancelAnimationFrame(frame)
  }, [lanes, firstLane, timeWindow, now, selectedId, theme, width, viewportHeight])

  const locate = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const box = event.currentTarget.getBoundingClientRect()
    return { x: event.clientX - box.left, y: event.clientY - box.top }
  }
  const onMove = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const point = locate(event)
    const hit = hitTest(lanes, firstLane, timeWindow, width, now, point.x, point.y)
    if (!hit?.item) return setHover(null)
    const { segment, candidateId } = hit.item
    const duration = ((segment.end ?? now) - segment.start) / 1000
    setHover({ x: point.x, y: point.y, text: `${candidateId} · ${segment.kind} · ${duration.toFixed(1)} s · ${segment.outcome}\n${segment.label}` })
  }
  const onClick = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const point = locate(event)
    const hit = hitTest(lanes, firstLane, timeWindow, width, now, point.x, point.y)
    const id = hit?.item?.candidateId ?? (mode === 'candidate' ? hit?.lane.id : undefined)
    if (id) selectCandidate(id)
  }

  return (
    <section className="panel timeline" aria-label="Cycle timeline">
      <header className="panel-header">
        <h2>Cycle timeline</h2>
        <TimelineLegend />
        <div className="segmented" role="group" aria-label="Lanes">
          {(['candidate', 'island'] as const).map((value) => (
            <button key={value} type="button" aria-pressed={mode === value} className={mode === value ? 'active' : ''} onClick={() => setMode(value)}>
              per {value}
            </button>
          ))}
        </div>
      </header>
      <div className="timeline-scroller" ref={scroller} style={{ height: viewportHeight }} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
        <div style={{ height: AXIS_HEIGHT + lanes.length * LANE_HEIGHT, position: 'relative' }}>
          <canvas
            ref={canvas}
            data-testid="cycle-timeline"
            data-lanes={lanes.length}
            role="img"
            aria-label={`Timeline of ${lanes.length} ${mode} lanes; the candidate list below gives the same steps by keyboard`}
            style={{ position: 'sticky', top: 0, width, height: viewportHeight, display: 'block' }}
            onMouseMove={onMove}
            onMouseLeave={() => setHover(null)}
            onClick={onClick}
          />
        </div>
        {hover ? (
          <div className="chart-tooltip" style={{ left: Math.min(hover.x + 12, width - 260), top: hover.y + 12 + scrollTop }}>
            {hover.text}
          </div>
        ) : null}
      </div>
      {lanes.length === 0 ? <p className="muted">No candidate has started yet.</p> : null}
    </section>
  )
}

function TimelineLegend() {
  return (
    <ul className="legend" aria-label="Legend">
      {Object.entries(KIND_COLOURS).map(([kind, colour]) => (
        <li key={kind}>
          <span className="swatch stripe" style={{ background: colour }} />
          {kind}
        </li>
      ))}
      <li>
        <span className="swatch outcome-ok" />
        passed
      </li>
      <li>
        <span className="swatch outcome-fail" />
        failed
      </li>
      <li>
        <span className="swatch outcome-warn" />
        flagged
      </li>
      <li>
        <span className="swatch outcome-running" />
        running
      </li>
    </ul>
  )
}
