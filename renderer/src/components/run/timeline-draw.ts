import type { ChartPalette } from '../charts/echarts.ts'
import type { CandidateTrack, Segment, SegmentKind } from '../../store/run-model.ts'

/** Lane geometry in CSS pixels. */
export const LANE_HEIGHT = 20
export const LABEL_WIDTH = 96
export const AXIS_HEIGHT = 24

/** A thin stripe on top of each segment names its step; the fill says how it ended. */
export const KIND_COLOURS: Record<SegmentKind, string> = {
  design: '#c58af9',
  code: '#5aa9ff',
  check: '#4fd1c5',
  verify: '#e5b454',
  profile: '#f59e6b',
  tune: '#9aa5b1',
}
export const KIND_LETTER: Record<SegmentKind, string> = { design: 'D', code: 'C', check: 'K', verify: 'V', profile: 'P', tune: 'T' }

export interface Lane {
  id: string
  label: string
  /** The candidate a click on this lane opens (island lanes open the segment's candidate). */
  items: Array<{ candidateId: string; segment: Segment }>
}

export function candidateLanes(order: string[], candidates: Record<string, CandidateTrack>): Lane[] {
  return order.map((id) => ({ id, label: id, items: (candidates[id]?.segments ?? []).map((segment) => ({ candidateId: id, segment })) }))
}

export function islandLanes(order: string[], candidates: Record<string, CandidateTrack>): Lane[] {
  const lanes = new Map<string, Lane>()
  for (const id of order) {
    const track = candidates[id]
    if (!track) continue
    const key = track.record.island === null ? 'main' : `island ${track.record.island}`
    const lane = lanes.get(key) ?? { id: key, label: key, items: [] }
    for (const segment of track.segments) lane.items.push({ candidateId: id, segment })
    lanes.set(key, lane)
  }
  return [...lanes.values()].sort((a, b) => a.label.localeCompare(b.label, 'en', { numeric: true }))
}

export interface TimeWindow {
  start: number
  end: number
}

/** Tick spacing that gives about one labelled tick per 90 px. */
export function niceStep(spanMs: number, widthPx: number): number {
  const target = (spanMs / Math.max(1, widthPx)) * 90
  const steps = [100, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000]
  return steps.find((step) => step >= target) ?? 14_400_000
}

export function formatOffset(ms: number, step: number): string {
  if (step < 1_000) return `${(ms / 1000).toFixed(1)} s`
  if (step < 60_000) return `${Math.round(ms / 1000)} s`
  if (step < 3_600_000) return `${Math.floor(ms / 60_000)} min${ms % 60_000 ? ` ${Math.round((ms % 60_000) / 1000)} s` : ''}`
  return `${(ms / 3_600_000).toFixed(1)} h`
}

interface DrawInput {
  context: CanvasRenderingContext2D
  width: number
  height: number
  lanes: Lane[]
  firstLane: number
  window: TimeWindow
  now: number
  selectedId: string | null
  palette: ChartPalette
}

/** Draws the visible lanes only; a run of thousands of candidates costs what the screen shows. */
export function drawTimeline({ context, width, height, lanes, firstLane, window, now, selectedId, palette }: DrawInput): void {
  context.clearRect(0, 0, width, height)
  const plotWidth = width - LABEL_WIDTH
  const span = Math.max(1, window.end - window.start)
  const x = (time: number) => LABEL_WIDTH + ((time - window.start) / span) * plotWidth
  const outcomeColour = { ok: palette.ok, fail: palette.bad, warn: palette.warn, running: palette.accent }

  const step = niceStep(span, plotWidth)
  context.font = '11px system-ui, sans-serif'
  context.textBaseline = 'middle'
  for (let tick = 0; tick <= span; tick += step) {
    const position = x(window.start + tick)
    context.fillStyle = palette.grid
    context.fillRect(Math.round(position), AXIS_HEIGHT, 1, height - AXIS_HEIGHT)
    context.fillStyle = palette.muted
    context.textAlign = tick === 0 ? 'left' : 'center'
    context.fillText(formatOffset(tick, step), position + (tick === 0 ? 2 : 0), AXIS_HEIGHT / 2)
  }
  const visible = Math.ceil((height - AXIS_HEIGHT) / LANE_HEIGHT) + 1
  for (let row = 0; row < visible; row += 1) {
    const lane = lanes[firstLane + row]
    if (!lane) break
    const top = AXIS_HEIGHT + row * LANE_HEIGHT
    const selectedLane = lane.items.some((item) => item.candidateId === selectedId) && lane.id === selectedId
    if (selectedLane) {
      context.fillStyle = palette.grid
      context.fillRect(0, top, width, LANE_HEIGHT)
    }
    context.fillStyle = selectedLane ? palette.accent : palette.text
    context.textAlign = 'left'
    context.fillText(lane.label, 6, top + LANE_HEIGHT / 2, LABEL_WIDTH - 10)
    for (const { segment } of lane.items) {
      const left = x(segment.start)
      const right = x(segment.end ?? now)
      if (right < LABEL_WIDTH || left > width) continue
      const clippedLeft = Math.max(left, LABEL_WIDTH)
      // Every step stays visible: a profile that took a millisecond still gets 2 px.
      const segmentWidth = Math.max(2, right - clippedLeft - 1)
      context.fillStyle = outcomeColour[segment.outcome]
      context.globalAlpha = segment.outcome === 'running' ? 0.55 : 0.85
      context.fillRect(clippedLeft, top + 4, segmentWidth, LANE_HEIGHT - 7)
      context.globalAlpha = 1
      context.fillStyle = KIND_COLOURS[segment.kind]
      context.fillRect(clippedLeft, top + 3, segmentWidth, 3)
      if (segmentWidth > 14) {
        context.fillStyle = '#111318'
        context.textAlign = 'center'
        context.fillText(KIND_LETTER[segment.kind], clippedLeft + segmentWidth / 2, top + LANE_HEIGHT / 2 + 1)
      }
    }
  }
}

/** The segment under a point, for the tooltip and for clicks. */
export function hitTest(lanes: Lane[], firstLane: number, window: TimeWindow, width: number, now: number, pointX: number, pointY: number) {
  if (pointY < AXIS_HEIGHT) return null
  const lane = lanes[firstLane + Math.floor((pointY - AXIS_HEIGHT) / LANE_HEIGHT)]
  if (!lane) return null
  if (pointX < LABEL_WIDTH) return { lane, item: lane.items[0] ?? null }
  const time = window.start + ((pointX - LABEL_WIDTH) / (width - LABEL_WIDTH)) * (window.end - window.start)
  const tolerance = ((window.end - window.start) / (width - LABEL_WIDTH)) * 3
  const item = lane.items.find(({ segment }) => segment.start - tolerance <= time && (segment.end ?? now) + tolerance >= time) ?? null
  return { lane, item }
}
