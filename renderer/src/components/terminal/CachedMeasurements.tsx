import { useState } from 'react'
import type { CacheEntry } from '../../../../agents/contract/index.ts'
import { ageText } from '../../lib/trust.ts'
import { request } from '../../transport/index.ts'

/** Cached baselines and peaks with their age and machine; Re-measure drops them so the next evaluation measures anew. */
export function CachedMeasurements({ task }: { task?: string }) {
  const [entries, setEntries] = useState<CacheEntry[] | null>(null)
  const [message, setMessage] = useState<string | null>(null)
  const scope = { ...(task ? { task } : {}), kinds: ['baselines', 'peaks'] as Array<'baselines' | 'peaks'> }
  const list = async () => {
    const result = await request('cache.list', scope)
    if (result.ok) setEntries(result.data.entries)
    else setMessage(result.error.message)
  }
  const remeasure = async () => {
    const result = await request('cache.clear', scope)
    setMessage(result.ok ? `Dropped ${result.data.removed.length} cached measurement(s): the next evaluation measures them again.` : result.error.message)
    if (result.ok) setEntries([])
  }
  return (
    <section aria-label="Cached measurements" data-testid="cached-measurements">
      <h3>Cached measurements</h3>
      <p>
        <button type="button" onClick={() => void list()}>
          Show
        </button>{' '}
        <button type="button" onClick={() => void remeasure()}>
          Re-measure{task ? ' this task' : ''}
        </button>
      </p>
      {message ? (
        <p className="muted small" role="status">
          {message}
        </p>
      ) : null}
      {entries && entries.length === 0 ? <p className="muted small">Nothing cached.</p> : null}
      {entries && entries.length > 0 ? (
        <ul className="small mono">
          {entries.map((entry, index) => (
            <li key={`${entry.file}-${entry.baseline ?? index}`}>
              {entry.kind === 'baselines'
                ? `${entry.baseline ?? '?'} ${entry.median_ms?.toPrecision(4) ?? '?'} ms on ${entry.device_name ?? '?'} (${entry.host ?? '?'}), ${ageText(entry.age_s)} old — ${entry.task ?? ''}`
                : `peaks ${entry.peak_bandwidth_gbs ?? '?'} GB/s, ${ageText(entry.age_s)} old`}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  )
}
