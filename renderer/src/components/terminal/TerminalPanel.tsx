import { useEffect, useState } from 'react'
import type { PythonOnPath } from '../../../../agents/contract/index.ts'
import { request } from '../../transport/index.ts'
import { useStudio } from '../../store/index.ts'
import { Notice } from '../Notice.tsx'
import { Terminal } from './Terminal.tsx'

/** Whether the shell's profile keeps the selected environment first, checked by running the shell. */
function PathCheck({ python }: { python: string }) {
  const [check, setCheck] = useState<PythonOnPath | null>(null)
  useEffect(() => {
    let current = true
    void request('terminal.pythonOnPath', { python }).then((result) => current && result.ok && setCheck(result.data))
    return () => {
      current = false
    }
  }, [python])
  if (!check?.checked) return null
  if (check.first)
    return (
      <p className="muted small" data-testid="path-check">
        In a new terminal, <span className="mono">python</span> is {check.found} (checked after your shell profile ran).
      </p>
    )
  return (
    <Notice tone="warning" title="Your shell profile puts another Python first">
      In a new terminal <span className="mono">python</span> is <span className="mono">{check.found ?? 'not found'}</span>, not{' '}
      <span className="mono">{check.expected}</span>: {check.shell}&apos;s profile changes PATH after the studio sets it. Call it by its full path in the
      terminal, or stop the profile from changing PATH for this environment.
    </Notice>
  )
}

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
      {error ? (
        <Notice tone="error" title="Terminal" code={error.code}>
          {error.message}
        </Notice>
      ) : null}
      {active ? (
        <div className="terminal-frame">
          <Terminal key={active.id} sessionId={active.id} />
        </div>
      ) : (
        <p className="muted">No terminal open. A new one starts your shell with the selected environment put first on PATH.</p>
      )}
      {python ? <PathCheck python={python} /> : null}
      {active?.state === 'exited' ? (
        <p className="muted">
          Exited with code {active.exitCode ?? 'unknown'}; its output is in {active.logPath}.
        </p>
      ) : null}
    </section>
  )
}
