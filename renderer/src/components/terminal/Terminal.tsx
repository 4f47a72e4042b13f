import { FitAddon } from '@xterm/addon-fit'
import { Terminal as XTerm } from '@xterm/xterm'
import '@xterm/xterm/css/xterm.css'
import { useEffect, useRef } from 'react'
import { request, subscribe } from '../../transport/index.ts'
import './terminal.css'
import { terminalFlow } from '../../../../agents/contract/registry.ts'

/**
 * Characters acknowledged per message: no more than the backend's low-water mark, so a paused pty
 * always resumes, large enough that a flood costs one request per 5 000 drawn characters (VS Code's
 * size). The registry checks the two agree.
 */
const ACK_CHUNK = terminalFlow.acknowledgeSize
/** Terminal lines kept in the renderer; the full output is in the session's log file. */
const SCROLLBACK_LINES = 5_000

const THEME = { background: '#111318', foreground: '#dfe3ea', cursor: '#5aa9ff', selectionBackground: '#2c4a70' }

/**
 * One xterm.js view of a backend pty session. Output goes straight from the transport into xterm;
 * each batch is acknowledged once xterm has parsed it (its write callback), which is what lets the
 * backend pause a flood at the source.
 */
export function Terminal({ sessionId }: { sessionId: string }) {
  const container = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const element = container.current
    if (!element) return
    const term = new XTerm({
      scrollback: SCROLLBACK_LINES,
      fontFamily: "'JetBrains Mono', 'DejaVu Sans Mono', monospace",
      fontSize: 13,
      theme: THEME,
      cursorBlink: true,
    })
    const fit = new FitAddon()
    term.loadAddon(fit)
    term.open(element)
    let disposed = false
    let unacknowledged = 0
    const acknowledge = (characters: number) => {
      unacknowledged += characters
      if (unacknowledged < ACK_CHUNK) return
      const characterCount = unacknowledged
      unacknowledged = 0
      void request('sessions.ack', { id: sessionId, characters: characterCount })
    }
    // Output that arrives before the scrollback is drawn waits, so the screen keeps its order.
    let early: string[] | null = []
    const stopData = subscribe('session-data', ({ id, data }) => {
      if (id !== sessionId || disposed) return
      if (early) early.push(data)
      else term.write(data, () => acknowledge(data.length))
    })
    void request('sessions.attach', { id: sessionId }).then((result) => {
      if (disposed) return
      if (result.ok && result.data.scrollback) term.write(result.data.scrollback)
      const waiting = early ?? []
      early = null
      for (const data of waiting) term.write(data, () => acknowledge(data.length))
    })
    const input = term.onData((data) => void request('sessions.write', { id: sessionId, data }))
    const resize = term.onResize(({ cols, rows }) => void request('sessions.resize', { id: sessionId, cols, rows }))
    const refit = () => {
      if (element.clientWidth > 0 && element.clientHeight > 0) fit.fit()
    }
    const observer = new ResizeObserver(refit)
    observer.observe(element)
    refit()
    term.focus()
    return () => {
      disposed = true
      observer.disconnect()
      input.dispose()
      resize.dispose()
      stopData()
      // Whatever was drawn but not yet acknowledged must not keep the pty paused after we leave.
      if (unacknowledged > 0) void request('sessions.ack', { id: sessionId, characters: unacknowledged })
      term.dispose()
    }
  }, [sessionId])
  return <div className="terminal-host" ref={container} data-testid="terminal" data-session={sessionId} />
}
