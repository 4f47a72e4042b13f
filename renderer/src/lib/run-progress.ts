import type { Segment, SegmentKind } from '../store/run-model.ts'

const DOING: Record<SegmentKind, string> = {
  design: 'the Designer is planning',
  code: 'the model is writing code',
  check: 'static checks',
  verify: 'the harness is building, checking and timing',
  profile: 'profiling',
  tune: 'tuning',
}

export interface RunActivity {
  /** What is happening now, e.g. "c0002 · the harness is building, checking and timing". */
  stage: string
  startedAt: number
  /** The median time this kind of step took earlier in this run; absent before one has ended. */
  typicalMs?: number
  /** How many earlier steps of this kind the estimate rests on. */
  basis: number
}

/**
 * The step a running run is in (the most recently started open segment) and, from the same kind
 * of step that already ended in this run, how long it usually takes.
 */
export function currentActivity(candidates: Record<string, { segments: Segment[] }>): RunActivity | null {
  let current: { id: string; segment: Segment } | null = null
  const ended = new Map<SegmentKind, number[]>()
  for (const [id, candidate] of Object.entries(candidates)) {
    for (const segment of candidate.segments) {
      if (segment.end === null) {
        if (!current || segment.start >= current.segment.start) current = { id, segment }
      } else {
        const list = ended.get(segment.kind) ?? []
        list.push(segment.end - segment.start)
        ended.set(segment.kind, list)
      }
    }
  }
  if (!current) return null
  const durations = (ended.get(current.segment.kind) ?? []).sort((a, b) => a - b)
  const middle = durations.length / 2
  const typicalMs =
    durations.length === 0
      ? undefined
      : durations.length % 2
        ? durations[Math.floor(middle)]
        : ((durations[middle - 1] as number) + (durations[middle] as number)) / 2
  return {
    stage: `${current.id} · ${DOING[current.segment.kind]}`,
    startedAt: current.segment.start,
    basis: durations.length,
    ...(typicalMs === undefined ? {} : { typicalMs }),
  }
}

/** Output tokens per second of model time (design and code steps, which include the network), or null when unknown. */
export function tokensPerSecond(outputTokens: number, candidates: Record<string, { segments: Segment[] }>): number | null {
  let modelMs = 0
  for (const candidate of Object.values(candidates)) {
    for (const segment of candidate.segments) {
      if ((segment.kind === 'design' || segment.kind === 'code') && segment.end !== null) modelMs += segment.end - segment.start
    }
  }
  return outputTokens > 0 && modelMs > 0 ? outputTokens / (modelMs / 1000) : null
}
