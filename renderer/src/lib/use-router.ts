import { useEffect } from 'react'
import { useStudio } from '../store/index.ts'
import { formatLocation, locationOf, locationQueue, parseLocation, type Location } from './router.ts'

/**
 * Shows a location: opens its run, candidate or batch, then its view. `current` says whether this
 * location is still the one to show: a Back pressed while a run was still loading must not be
 * undone when that load finishes.
 */
async function apply(location: Location, current: () => boolean): Promise<void> {
  const state = useStudio.getState()
  if (location.runId) {
    if (state.selectedRunId !== location.runId) await state.openRun(location.runId)
    if (!current()) return
    useStudio.getState().selectCandidate(location.candidateId ?? null)
  }
  if (location.compare) useStudio.getState().setComparePicks(location.compare)
  if (location.benchId && useStudio.getState().selectedBenchId !== location.benchId) await useStudio.getState().openBench(location.benchId)
  if (!current()) return
  useStudio.getState().setView(location.view)
}

/**
 * Keeps the URL and the store in step: every view, run, candidate and batch has a URL (a deep
 * link that survives a reload), and Back and Forward walk the history. The hash is used so the
 * session token in the query string stays where the server expects it.
 */
export function useRouter(fallback: () => Promise<Location>): void {
  useEffect(() => {
    const { go, applying } = locationQueue(apply)
    const initial = parseLocation(window.location.hash)
    void (initial
      ? go(initial)
      : fallback().then(async (location) => {
          // The user went somewhere while the default was being worked out: stay there.
          if (window.location.hash) return
          await go(location)
          window.history.replaceState(window.history.state, '', formatLocation(locationOf(useStudio.getState())))
        }))
    const onPop = () => {
      const location = parseLocation(window.location.hash)
      if (location) void go(location)
    }
    window.addEventListener('popstate', onPop)
    const unsubscribe = useStudio.subscribe(
      (state) => formatLocation(locationOf(state)),
      (hash) => {
        if (applying() || hash === window.location.hash) return
        window.history.pushState(null, '', hash)
      },
    )
    return () => {
      window.removeEventListener('popstate', onPop)
      unsubscribe()
    }
  }, [fallback])
}
