import type { Verdict } from '../../../agents/contract/index.ts'

/** "2.0 h" for an age in seconds. */
export function ageText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '?'
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
  ] as const) {
    if (seconds >= size) return `${(seconds / size).toFixed(1)} ${unit}`
  }
  return `${Math.round(seconds)} s`
}

/** What a verdict's speedup rests on: whether its timing was too noisy to trust, and where its eager baseline came from. */
export function timingTrust(verdict: Verdict | null | undefined): { noisy: boolean; baseline: string } {
  if (!verdict?.timing) return { noisy: false, baseline: '' }
  const noisy = verdict.flags.some((flag) => flag.name === 'noisy_timing')
  const eager = verdict.timing.baseline_provenance?.eager
  let baseline = ''
  if (eager) {
    if (eager.source === 'cache') baseline = `eager cached ${ageText(eager.age_s)} ago, re-timed ${eager.retime_ratio?.toFixed(2) ?? '?'}×`
    else baseline = eager.replaced ? 'eager re-measured (stale cache dropped)' : 'eager measured now'
  }
  return { noisy, baseline }
}
