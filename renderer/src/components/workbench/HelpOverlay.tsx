import { useEffect, useRef } from 'react'
import { EXTRA_SHORTCUTS, studioCommands } from '../../lib/commands.ts'
import { useStudio } from '../../store/index.ts'

/** `?`: every keyboard shortcut, from the same list the palette and the key handler use. */
export function HelpOverlay() {
  const open = useStudio((state) => state.overlay === 'help')
  const setOverlay = useStudio((state) => state.setOverlay)
  const close = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    if (open) close.current?.focus()
  }, [open])
  if (!open) return null
  const shortcuts = [
    ...EXTRA_SHORTCUTS,
    ...studioCommands(useStudio.getState())
      .filter((command) => command.keys)
      .map((command) => ({ keys: command.keys as string, label: command.label })),
  ]
  return (
    <div className="overlay" role="presentation" onMouseDown={(event) => event.target === event.currentTarget && setOverlay(null)}>
      <div className="help" role="dialog" aria-modal="true" aria-labelledby="help-title" onKeyDown={(event) => event.key === 'Escape' && setOverlay(null)}>
        <header className="pane-header">
          <h2 id="help-title">Keyboard shortcuts</h2>
          <button ref={close} type="button" onClick={() => setOverlay(null)}>
            Close
          </button>
        </header>
        <table className="data-table" data-testid="shortcut-table">
          <tbody>
            {shortcuts.map((shortcut) => (
              <tr key={shortcut.keys}>
                <td>
                  <kbd>{shortcut.keys}</kbd>
                </td>
                <td>{shortcut.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}
