import { cpp } from '@codemirror/lang-cpp'
import { python } from '@codemirror/lang-python'
import { EditorState } from '@codemirror/state'
import { oneDark } from '@codemirror/theme-one-dark'
import { EditorView, lineNumbers, highlightActiveLineGutter } from '@codemirror/view'
import { syntaxHighlighting, defaultHighlightStyle, foldGutter } from '@codemirror/language'
import { useEffect, useRef } from 'react'
import { heatGutter, type HeatMark } from './heat-gutter.ts'

interface CodeViewProps {
  value: string
  language?: 'python' | 'cpp'
  theme: 'dark' | 'light'
  label: string
  /** Per-line shares of ncu's stall samples, drawn as a heat gutter. */
  heat?: HeatMark[]
}

/** A read-only CodeMirror 6 view; the editor is rebuilt only when the document or theme changes. */
export function CodeView({ value, language = 'python', theme, label, heat }: CodeViewProps) {
  const host = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!host.current) return
    const view = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          ...(heat && heat.length > 0 ? [heatGutter(heat)] : []),
          lineNumbers(),
          highlightActiveLineGutter(),
          foldGutter(),
          language === 'cpp' ? cpp() : python(),
          EditorState.readOnly.of(true),
          EditorView.editable.of(false),
          EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' }),
          theme === 'dark' ? oneDark : syntaxHighlighting(defaultHighlightStyle),
          EditorView.theme({ '&': { height: '100%' }, '.cm-scroller': { fontFamily: 'var(--mono)' } }),
        ],
      }),
    })
    return () => view.destroy()
  }, [value, language, theme, label, heat])
  return <div className="code-view" ref={host} />
}
