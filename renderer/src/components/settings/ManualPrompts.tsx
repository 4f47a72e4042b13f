import { useState } from 'react'
import type { ManualPrompt } from '../../../../agents/contract/index.ts'
import { useStudio } from '../../store/index.ts'
import { Notice } from '../Notice.tsx'

/** The contract's maxManualAnswerChars (agents/contract/providers.ts); only types cross into the renderer, and the backend refuses longer. */
const maxManualAnswerChars = 8 << 20

/** Prompts of the manual provider waiting for an answer: copy the prompt, paste the model's reply. */
export function ManualPrompts() {
  const prompts = useStudio((state) => state.manualPrompts)
  const list = Object.values(prompts)
  if (list.length === 0) return null
  return (
    <section className="settings-section" aria-labelledby="manual-title">
      <h2 id="manual-title">Waiting for your answer ({list.length})</h2>
      {list.map((prompt) => (
        <ManualPromptCard key={prompt.id} prompt={prompt} />
      ))}
    </section>
  )
}

export function ManualPromptCard({ prompt }: { prompt: ManualPrompt }) {
  const answerManual = useStudio((state) => state.answerManual)
  const [text, setText] = useState('')
  const [error, setError] = useState<string | null>(null)
  return (
    <article className="panel">
      <p className="small muted">
        {prompt.role ?? 'model'} · {prompt.model} · prompt file <span className="mono">{prompt.promptPath}</span>
      </p>
      <pre className="stream">{prompt.prompt}</pre>
      <label htmlFor={`answer-${prompt.id}`}>
        The answer (or write it to <span className="mono">{prompt.responsePath}</span>)
      </label>
      <textarea id={`answer-${prompt.id}`} rows={8} value={text} onChange={(event) => setText(event.target.value)} className="mono answer" />
      {text.length > maxManualAnswerChars ? (
        <Notice tone="error" title="Too long to send">
          The answer has {text.length.toLocaleString()} characters; at most {maxManualAnswerChars.toLocaleString()} are accepted (the agent reads the first 200
          000). Keep the module with class ModelNew and cut the rest.
        </Notice>
      ) : null}
      <div className="form-actions">
        <button type="button" onClick={() => void navigator.clipboard?.writeText(prompt.prompt)}>
          Copy prompt
        </button>
        <button
          type="button"
          className="primary"
          disabled={!text.trim() || text.length > maxManualAnswerChars}
          onClick={() => void answerManual(prompt.id, text).then((problem) => setError(problem?.message ?? null))}
        >
          Send answer
        </button>
      </div>
      {error ? (
        <Notice tone="error" title="Not sent">
          {error}
        </Notice>
      ) : null}
    </article>
  )
}
