import type { StudioState } from '../store/index.ts'
import type { ViewName } from '../store/ui-slice.ts'

/** Where the studio is, as a URL hash: `#/runs/<run>`, `#/runs/<run>/candidates/<candidate>[/profile]`, `#/benchmarks/<batch>`, `#/<view>`. */
export interface Location {
  view: ViewName
  runId?: string
  candidateId?: string
  benchId?: string
  /** Compare: the two candidates, as run/candidate pairs. */
  compare?: Array<{ runId: string; candidateId: string }>
}

const VIEWS: ViewName[] = [
  'welcome',
  'tasks',
  'new-run',
  'runs',
  'run',
  'profile',
  'compare',
  'migrate',
  'tune',
  'benchmarks',
  'model',
  'toolchains',
  'settings',
]

const part = (value: string) => encodeURIComponent(value)

export function formatLocation(location: Location): string {
  if ((location.view === 'run' || location.view === 'profile') && location.runId) {
    const candidate = location.candidateId ? `/candidates/${part(location.candidateId)}` : ''
    return `#/runs/${part(location.runId)}${candidate}${location.view === 'profile' && candidate ? '/profile' : ''}`
  }
  if (location.view === 'benchmarks' && location.benchId) return `#/benchmarks/${part(location.benchId)}`
  if (location.view === 'compare' && location.compare?.length)
    return `#/compare/${location.compare.map((pick) => `${part(pick.runId)}/${part(pick.candidateId)}`).join('/')}`
  return `#/${location.view}`
}

/** Reads a hash back; an unknown one is null, so a stale bookmark lands on the default view. */
export function parseLocation(hash: string): Location | null {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((item) => decodeURIComponent(item))
  const [first, second, third, fourth, fifth] = parts
  if (!first) return null
  if (first === 'runs' && second) {
    if (third === 'candidates' && fourth) return { view: fifth === 'profile' ? 'profile' : 'run', runId: second, candidateId: fourth }
    return { view: 'run', runId: second }
  }
  if (first === 'benchmarks' && second) return { view: 'benchmarks', benchId: second }
  if (first === 'compare' && second && third) {
    const compare = [{ runId: second, candidateId: third }]
    if (fourth && fifth) compare.push({ runId: fourth, candidateId: fifth })
    return { view: 'compare', compare }
  }
  return VIEWS.includes(first as ViewName) ? { view: first as ViewName } : null
}

export const locationOf = (state: Pick<StudioState, 'view' | 'selectedRunId' | 'selectedCandidateId' | 'selectedBenchId' | 'comparePicks'>): Location => ({
  compare: state.comparePicks,
  view: state.view,
  runId: state.selectedRunId ?? undefined,
  candidateId: state.selectedCandidateId ?? undefined,
  benchId: state.selectedBenchId ?? undefined,
})

/**
 * Applies locations so that only the one asked for last lands (a Back pressed while a run is still
 * loading is not undone when that load ends), and says whether any is still in flight, during which
 * the URL must not be pushed.
 */
export function locationQueue(applyOne: (location: Location, current: () => boolean) => Promise<void>): {
  go: (location: Location) => Promise<void>
  applying: () => boolean
} {
  let inFlight = 0
  let latest = 0
  return {
    go: async (location) => {
      const ticket = ++latest
      inFlight += 1
      try {
        await applyOne(location, () => ticket === latest)
      } finally {
        inFlight -= 1
      }
    },
    applying: () => inFlight > 0,
  }
}
