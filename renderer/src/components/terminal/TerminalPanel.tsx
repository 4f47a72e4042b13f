import { useEffect } from 'react'
import { useStudio } from '../../store/index.ts'
import { Notice } from '../Notice.tsx'
import { Terminal } from './Terminal.tsx'

/** Tabs of terminal sessions on this host, the active one shown in xterm. */
export function TerminalPanel({ python }: { python?: string }) {
  const sessions = useStudio((state) => state.sessions)
  const activeId = useStudio((state) => state.activeSessionId)
  const error = useStudio((state) => state.sessionError)
  const open = useStudio((state) => state.openSession)
  const close = useStudio((state) => state.closeSession)
  const show = useStudio((state) => state.showSession)
  const load = useStudio((state) => state.loadSessions)
  useEffect(() => void load(), [load])
  const list = Object.values(sessions)
  const active = activeId ? sessions[activeId] : undefined
  return (
    <section className="terminal-panel" aria-label="Terminal">
      <div className="terminal-tabs" role="tablist">
        {list.map((session) => (
          <button
            key={session.id}
            type="button"
            role="tab"
            aria-selected={session.id === activeId}
            className={`terminal-tab${session.id === activeId ? ' active' : ''}${session.state === 'exited' ? ' exited' : ''}`}
            title={`${session.cwd} · log: ${session.logPath}`}
            onClick={() => show(session.id)}
          >
            {session.title} {session.pid ?? ''}
          </button>
        ))}
        <button type="button" onClick={() => void open({ python })}>
          New terminal
        </button>
        {active && active.state === 'running' ? (
          <button type="button" onClick={() => void close(active.id)}>
            Close
          </button>
        ) : null}
      </div>
      {error ? <Notice tone="error" title="Terminal" code={error.code}>{error.message}</Notice> : null}
      {active ? (
        <div className="terminal-frame">
          <Terminal key={active.id} sessionId={active.id} />
        </div>
      ) : (
        <p className="muted">No terminal open. A new one starts your shell with the selected environment first on PATH.</p>
      )}
      {active?.state === 'exited' ? <p className="muted">Exited with code {active.exitCode ?? 'unknown'}; its output is in {active.logPath}.</p> : null}
    </section>
  )
}
