import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { studioCommands } from '../../lib/commands.ts'
import { useStudio } from '../../store/index.ts'

/** Ctrl/Cmd+K or Ctrl+Shift+P: type to filter the studio's actions and runs, Enter runs one. */
export function CommandPalette() {
  const open = useStudio((state) => state.overlay === 'palette')
  const setOverlay = useStudio((state) => state.setOverlay)
  const runList = useStudio((state) => state.runList)
  const selectedRunId = useStudio((state) => state.selectedRunId)
  const [query, setQuery] = useState('')
  const [active, setActive] = useState(0)
  const input = useRef<HTMLInputElement>(null)
  // The list depends on the runs and the open run; read the rest of the store when it opens.
  const commands = useMemo(() => (open ? studioCommands(useStudio.getState()) : []), [runList, selectedRunId, open])
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  const shown = commands.filter((command) => words.every((word) => command.label.toLowerCase().includes(word))).slice(0, 40)
  useEffect(() => {
    if (open) {
      setQuery('')
      setActive(0)
      input.current?.focus()
    }
  }, [open])
  if (!open) return null
  const run = (index: number) => {
    const command = shown[index]
    if (!command) return
    setOverlay(null)
    void command.run(useStudio.getState())
  }
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown') setActive((index) => Math.min(index + 1, shown.length - 1))
    else if (event.key === 'ArrowUp') setActive((index) => Math.max(index - 1, 0))
    else if (event.key === 'Enter') run(active)
    else if (event.key === 'Escape') setOverlay(null)
    else return
    event.preventDefault()
  }
  return (
    <div className="overlay" role="presentation" onMouseDown={(event) => event.target === event.currentTarget && setOverlay(null)}>
      <div className="palette" role="dialog" aria-modal="true" aria-label="Command palette">
        <input
          ref={input}
          value={query}
          placeholder="Type a command or a run…"
          aria-label="Command"
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={shown[active] ? `palette-${shown[active].id}` : undefined}
          onChange={(event) => {
            setQuery(event.target.value)
            setActive(0)
          }}
          onKeyDown={onKey}
        />
        <ul id="palette-list" role="listbox" aria-label="Commands">
          {shown.map((command, index) => (
            <li
              key={command.id}
              id={`palette-${command.id}`}
              role="option"
              aria-selected={index === active}
              className={index === active ? 'active' : undefined}
              onMouseEnter={() => setActive(index)}
              onClick={() => run(index)}
            >
              <span>{command.label}</span>
              {command.keys ? <kbd>{command.keys}</kbd> : null}
            </li>
          ))}
          {shown.length === 0 ? <li className="muted">No command matches “{query}”.</li> : null}
        </ul>
      </div>
    </div>
  )
}
