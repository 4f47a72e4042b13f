import { python } from '@codemirror/lang-python'
import { EditorState } from '@codemirror/state'
import { oneDark } from '@codemirror/theme-one-dark'
import { EditorView, lineNumbers, highlightActiveLineGutter } from '@codemirror/view'
import { syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language'
import { useEffect, useRef } from 'react'

/** An editable CodeMirror 6 view; `initial` seeds it once, every edit goes to onChange. */
export function CodeEditor({ initial, theme, label, onChange }: { initial: string; theme: 'dark' | 'light'; label: string; onChange: (code: string) => void }) {
  const host = useRef<HTMLDivElement>(null)
  const changed = useRef(onChange)
  changed.current = onChange
  useEffect(() => {
    if (!host.current) return
    const view = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: initial,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          // Tab keeps moving focus (no indentWithTab): the editor must not trap keyboard users.
          python(),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) changed.current(update.state.doc.toString())
          }),
          theme === 'dark' ? oneDark : syntaxHighlighting(defaultHighlightStyle),
          EditorView.theme({ '&': { height: '100%' }, '.cm-scroller': { fontFamily: 'var(--mono)' } }),
        ],
      }),
    })
    return () => view.destroy()
  }, [initial, theme, label])
  return <div className="code-view" ref={host} data-testid="code-editor" />
}
