import { useState, type FormEvent } from 'react'
import type { ProviderKind, ProviderStatus } from '../../../../agents/contract/index.ts'
import { useStudio } from '../../store/index.ts'
import { Notice } from '../Notice.tsx'
import { PathField } from '../workbench/PathField.tsx'

const KINDS: Array<{ kind: ProviderKind; label: string; baseUrl: string }> = [
  { kind: 'ollama', label: 'Ollama (local)', baseUrl: 'http://127.0.0.1:11434' },
  { kind: 'openai', label: 'OpenAI-compatible (OpenAI, vLLM, DeepSeek, ...)', baseUrl: 'https://api.openai.com/v1' },
  { kind: 'anthropic', label: 'Anthropic', baseUrl: 'https://api.anthropic.com' },
  { kind: 'manual', label: 'Manual (paste each answer yourself)', baseUrl: '' },
  { kind: 'replay', label: 'Replay (a recorded cassette)', baseUrl: '' },
]

/** Adds or edits a provider. A key typed here goes to the backend's secret store and is never shown again. */
export function ProviderForm({ existing, onDone }: { existing: ProviderStatus | null; onDone: () => void }) {
  const saveProvider = useStudio((state) => state.saveProvider)
  const [name, setName] = useState(existing?.name ?? '')
  const [kind, setKind] = useState<ProviderKind>(existing?.kind ?? 'openai')
  const [baseUrl, setBaseUrl] = useState(existing?.baseUrl ?? KINDS.find((item) => item.kind === (existing?.kind ?? 'openai'))?.baseUrl ?? '')
  const [defaultModel, setDefaultModel] = useState(existing?.defaultModel ?? '')
  const [cassettePath, setCassettePath] = useState(existing?.cassettePath ?? '')
  const [apiKey, setApiKey] = useState('')
  const [error, setError] = useState<{ code: string; message: string } | null>(null)
  const needsKey = kind === 'openai' || kind === 'anthropic'
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const problem = await saveProvider({
      name: name.trim(),
      kind,
      baseUrl: kind === 'manual' || kind === 'replay' ? null : baseUrl.trim() || null,
      defaultModel: defaultModel.trim() || null,
      ...(kind === 'replay' ? { cassettePath: cassettePath.trim() || null } : {}),
      ...(apiKey ? { apiKey } : {}),
    })
    // The key leaves the page's memory either way; it is only ever sent, never read back.
    setApiKey('')
    setError(problem)
    if (!problem) onDone()
  }
  return (
    <form className="form-grid provider-form" onSubmit={(event) => void submit(event)} aria-label={existing ? `Edit ${existing.name}` : 'Add a provider'}>
      <fieldset>
        <legend>{existing ? `Edit ${existing.name}` : 'Add a provider'}</legend>
        <label htmlFor="provider-name">Name (the prefix of provider:model)</label>
        <input
          id="provider-name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          disabled={existing !== null}
          required
          pattern="[a-z][a-z0-9_\-]*"
          spellCheck={false}
        />
        <label htmlFor="provider-kind">Kind</label>
        <select
          id="provider-kind"
          value={kind}
          onChange={(event) => {
            const next = event.target.value as ProviderKind
            setKind(next)
            setBaseUrl(KINDS.find((item) => item.kind === next)?.baseUrl ?? '')
          }}
        >
          {KINDS.map((item) => (
            <option key={item.kind} value={item.kind}>
              {item.label}
            </option>
          ))}
        </select>
        {kind !== 'manual' && kind !== 'replay' ? (
          <>
            <label htmlFor="provider-url">Base URL</label>
            <input id="provider-url" value={baseUrl} onChange={(event) => setBaseUrl(event.target.value)} className="mono" spellCheck={false} />
          </>
        ) : null}
        {kind === 'replay' ? (
          <>
            <label htmlFor="provider-cassette">Cassette file, or a folder of them (one per task: &lt;task&gt;.&lt;dsl&gt;.json)</label>
            <PathField id="provider-cassette" value={cassettePath} onChange={setCassettePath} extensions={['.json']} pickFolder required />
          </>
        ) : null}
        <label htmlFor="provider-model">Default model</label>
        <input
          id="provider-model"
          value={defaultModel}
          onChange={(event) => setDefaultModel(event.target.value)}
          className="mono"
          spellCheck={false}
          placeholder={kind === 'ollama' ? 'qwen2.5-coder:7b' : kind === 'anthropic' ? 'claude-sonnet-4-5' : ''}
        />
        {needsKey || kind === 'ollama' ? (
          <>
            <label htmlFor="provider-key">API key {existing?.hasKey ? '(one is stored; type a new one to replace it)' : needsKey ? '' : '(optional)'}</label>
            <input
              id="provider-key"
              type="password"
              autoComplete="off"
              value={apiKey}
              onChange={(event) => setApiKey(event.target.value)}
              className="mono"
              placeholder={existing?.hasKey ? '•••••• stored' : ''}
            />
            <p className="muted small">
              Kept by the backend in a file only you can read (the OS keychain in the desktop app); it is never sent back to this page.
            </p>
          </>
        ) : null}
        {error ? (
          <Notice tone="error" title="Not saved" code={error.code}>
            {error.message}
          </Notice>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="primary">
            Save
          </button>
          <button type="button" onClick={onDone}>
            Cancel
          </button>
        </div>
      </fieldset>
    </form>
  )
}
