import { useEffect, useRef, useState } from 'react'
import type { AgentRole } from '../../../../agents/contract/index.ts'
import { splitFences } from '../../lib/fences.ts'
import { useThrottled } from '../../lib/use-throttled.ts'
import { useStudio } from '../../store/index.ts'
import { writerRoles } from '../../../../agents/contract/registry.ts'

/** Streamed text is laid out again at most this often: fast enough to read as it arrives. */
const TEXT_REDRAW_MS = 100
const ROLES: readonly AgentRole[] = writerRoles

/** What each agent is writing, streamed; the view follows the end unless the user scrolled up. */
export function AgentStreams({ runId }: { runId: string }) {
  const [role, setRole] = useState<AgentRole>('coder')
  const text = useThrottled(
    useStudio((state) => state.runModels[runId]?.text[role] ?? ''),
    TEXT_REDRAW_MS,
  )
  const about = useStudio((state) => state.runModels[runId]?.textCandidate[role] ?? null)
  const box = useRef<HTMLPreElement>(null)
  const following = useRef(true)
  useEffect(() => {
    const element = box.current
    if (element && following.current) element.scrollTop = element.scrollHeight
  }, [text])
  return (
    <section className="panel" aria-label="Agents' streamed text">
      <header className="panel-header">
        <h2>Agents</h2>
        <div className="segmented" role="tablist" aria-label="Agent role">
          {ROLES.map((value) => (
            <button
              key={value}
              type="button"
              role="tab"
              aria-selected={role === value}
              className={role === value ? 'active' : ''}
              onClick={() => setRole(value)}
            >
              {value}
            </button>
          ))}
        </div>
        <span className="muted small">{about ? `on ${about}` : ''}</span>
      </header>
      <pre
        ref={box}
        className="stream"
        tabIndex={0}
        aria-label={`${role} output`}
        aria-live="off"
        data-testid={`stream-${role}`}
        onScroll={(event) => {
          const element = event.currentTarget
          following.current = element.scrollTop + element.clientHeight >= element.scrollHeight - 24
        }}
      >
        {text
          ? splitFences(text).map((part, index) =>
              part.kind === 'text' ? (
                <span key={index}>{part.text}</span>
              ) : (
                <code
                  key={index}
                  className={`stream-code${part.open ? ' open' : ''}`}
                  data-language={part.language}
                  aria-label={`${part.language} code${part.open ? ', still arriving' : ''}`}
                >
                  {part.code}
                </code>
              ),
            )
          : `The ${role} has not written anything in this run yet.`}
      </pre>
    </section>
  )
}
