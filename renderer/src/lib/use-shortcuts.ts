import { useEffect } from 'react'
import { useStudio } from '../store/index.ts'
import { studioCommands } from './commands.ts'

/** A typed key in a field is text, not a shortcut. */
const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.closest('.cm-editor, .xterm') !== null)

/** Milliseconds between the keys of a sequence such as "g r". */
const SEQUENCE_MS = 1200

/** The palette (Ctrl/Cmd+K, Ctrl+Shift+P), the help (?), Escape, and the "g x" sequences of the commands. */
export function useShortcuts(): void {
  useEffect(() => {
    let pending: { key: string; at: number } | null = null
    const onKey = (event: KeyboardEvent) => {
      const state = useStudio.getState()
      const modifier = event.ctrlKey || event.metaKey
      if ((modifier && !event.shiftKey && event.key.toLowerCase() === 'k') || (event.ctrlKey && event.shiftKey && event.key.toLowerCase() === 'p')) {
        event.preventDefault()
        state.setOverlay(state.overlay === 'palette' ? null : 'palette')
        return
      }
      if (event.key === 'Escape' && state.overlay) {
        state.setOverlay(null)
        return
      }
      if (modifier || event.altKey || typing(event.target) || state.overlay) return
      if (event.key === '?') {
        event.preventDefault()
        state.setOverlay('help')
        return
      }
      const now = Date.now()
      if (pending && now - pending.at < SEQUENCE_MS) {
        const sequence = `${pending.key} ${event.key}`
        pending = null
        const command = studioCommands(state).find((candidate) => candidate.keys === sequence)
        if (command) {
          event.preventDefault()
          void command.run(state)
        }
        return
      }
      if (event.key === 'g') pending = { key: 'g', at: now }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}
