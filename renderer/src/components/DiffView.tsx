import { cpp } from '@codemirror/lang-cpp'
import { python } from '@codemirror/lang-python'
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { MergeView } from '@codemirror/merge'
import { EditorState, type Extension } from '@codemirror/state'
import { oneDark } from '@codemirror/theme-one-dark'
import { EditorView, lineNumbers } from '@codemirror/view'
import { useEffect, useRef } from 'react'

interface DiffViewProps {
  /** The parent's code (left) and the candidate's (right). */
  before: string
  after: string
  beforeLabel: string
  afterLabel: string
  language?: 'python' | 'cpp'
  theme: 'dark' | 'light'
}

/** A read-only side-by-side diff (CodeMirror's merge view), unchanged stretches collapsed. */
export function DiffView({ before, after, beforeLabel, afterLabel, language = 'python', theme }: DiffViewProps) {
  const host = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!host.current) return
    const shared = (label: string): Extension[] => [
      lineNumbers(),
      language === 'cpp' ? cpp() : python(),
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
      EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' }),
      theme === 'dark' ? oneDark : syntaxHighlighting(defaultHighlightStyle),
      EditorView.theme({ '.cm-scroller': { fontFamily: 'var(--mono)' } }),
    ]
    const view = new MergeView({
      a: { doc: before, extensions: shared(beforeLabel) },
      b: { doc: after, extensions: shared(afterLabel) },
      parent: host.current,
      collapseUnchanged: { margin: 3, minSize: 6 },
      gutter: true,
    })
    return () => view.destroy()
  }, [before, after, beforeLabel, afterLabel, language, theme])
  return (
    <div className="diff-view" data-testid="code-diff">
      <div className="diff-labels" aria-hidden="true">
        <span>{beforeLabel}</span>
        <span>{afterLabel}</span>
      </div>
      <div ref={host} />
    </div>
  )
}
