import { useMemo } from 'react'
import type { Verdict } from '../../../../agents/contract/index.ts'
import { heatLines } from '../../lib/ncu-view.ts'
import { CodeView } from '../CodeView.tsx'

/** Lines listed under the code, hottest first. */
const LISTED = 5

/** The candidate's code with ncu's stall samples per line as a heat gutter, and the hottest lines named. */
export function HotLines({ code, verdict, theme, label }: { code: string | null; verdict: Verdict | null; theme: 'dark' | 'light'; label: string }) {
  const { lines, error } = useMemo(() => heatLines(verdict), [verdict])
  const heat = useMemo(() => lines.map((line) => ({ line: line.line, share: line.share, topStall: line.topStall })), [lines])
  if (code === null) return <p className="muted">No code yet.</p>
  if (lines.length === 0) {
    return (
      <p className="muted">
        No source-line samples{error ? `: ${error}` : ''}. Nsight Compute's source counters are collected with the ncu metrics of a correct candidate in runs
        with an optimize step on a CUDA device.
      </p>
    )
  }
  return (
    <div className="hot-lines" data-testid="hot-lines">
      <ol className="small">
        {lines.slice(0, LISTED).map((line) => (
          <li key={line.line}>
            <span className="mono">line {line.line}</span>: {(line.share * 100).toFixed(0)}% of stall samples
            {line.topStall ? `, mostly ${line.topStall.replace(/_/g, ' ')}` : ''} — <code>{line.text.slice(0, 80)}</code>
          </li>
        ))}
      </ol>
      <CodeView value={code} theme={theme} label={label} heat={heat} />
    </div>
  )
}
