import { useState } from 'react'
import type { ProviderStatus } from '../../../../agents/contract/index.ts'
import { useStudio } from '../../store/index.ts'
import { Notice } from '../Notice.tsx'
import { ProviderForm } from './ProviderForm.tsx'

const formatBytes = (bytes: number | null) => (bytes === null ? '' : `${(bytes / 2 ** 30).toFixed(1)} GiB`)

/** Every provider: whether it answers, its models, and for Ollama a pull with a progress bar. */
export function ProvidersPanel() {
  const providers = useStudio((state) => state.providers)
  const [editing, setEditing] = useState<ProviderStatus | 'new' | null>(null)
  return (
    <section className="settings-section" aria-labelledby="providers-title">
      <header className="pane-header">
        <h2 id="providers-title">Model providers</h2>
        <button type="button" onClick={() => setEditing('new')}>
          Add a provider
        </button>
      </header>
      {providers.state === 'error' ? (
        <Notice tone="error" title="Could not list providers" code={providers.code}>
          {providers.message}
        </Notice>
      ) : null}
      {editing ? <ProviderForm existing={editing === 'new' ? null : editing} onDone={() => setEditing(null)} /> : null}
      {providers.state === 'ready' ? (
        <div className="provider-list" data-testid="provider-list">
          {providers.value.map((provider) => (
            <ProviderCard key={provider.name} provider={provider} onEdit={() => setEditing(provider)} />
          ))}
        </div>
      ) : null}
    </section>
  )
}

function ProviderCard({ provider, onEdit }: { provider: ProviderStatus; onEdit: () => void }) {
  const models = useStudio((state) => state.providerModels[provider.name])
  const testProvider = useStudio((state) => state.testProvider)
  const removeProvider = useStudio((state) => state.removeProvider)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<{ code: string; message: string } | null>(null)
  const test = async () => {
    setBusy(true)
    setError(await testProvider(provider.name))
    setBusy(false)
  }
  return (
    <article className="panel provider-card" aria-label={`Provider ${provider.name}`}>
      <header className="panel-header">
        <h3 className="mono">{provider.name}</h3>
        <span className="muted small">
          {provider.kind}
          {provider.baseUrl ? ` · ${provider.baseUrl}` : ''}
          {provider.hasKey ? ' · key stored' : ''}
        </span>
        <span className={`badge ${provider.status === 'ok' ? 'ok' : provider.status === 'error' ? 'bad' : ''}`}>
          {provider.status === 'unknown' ? 'not tested' : provider.status === 'ok' ? 'reachable' : 'unreachable'}
        </span>
        <button type="button" onClick={() => void test()} disabled={busy}>
          {busy ? 'Testing…' : 'Test'}
        </button>
        <button type="button" onClick={onEdit}>
          Edit
        </button>
        <button type="button" onClick={() => void removeProvider(provider.name).then(setError)}>
          Remove
        </button>
      </header>
      {provider.message ? <p className={provider.status === 'error' ? 'provider-error' : 'muted small'}>{provider.message}</p> : null}
      {error && error.message !== provider.message ? (
        <Notice tone="error" title="Test failed" code={error.code}>
          {error.message}
        </Notice>
      ) : null}
      {models ? (
        <ul className="model-list" aria-label={`Models of ${provider.name}`}>
          {models.map((model) => (
            <li key={model.name}>
              <span className="mono">{model.name}</span>{' '}
              <span className="muted small">
                {formatBytes(model.sizeBytes)} {model.details ?? ''}
              </span>
            </li>
          ))}
          {models.length === 0 ? <li className="muted">No models yet{provider.kind === 'ollama' ? ': pull one below.' : '.'}</li> : null}
        </ul>
      ) : null}
      {provider.kind === 'ollama' ? <PullModel provider={provider.name} /> : null}
    </article>
  )
}

/** A model a kernel engineer can start with on a laptop-class GPU or CPU. */
const SUGGESTED_MODEL = 'qwen2.5-coder:7b'

export function PullModel({ provider }: { provider: string }) {
  const [model, setModel] = useState(SUGGESTED_MODEL)
  const [started, setStarted] = useState<string | null>(null)
  const pull = useStudio((state) => (started ? state.pulls[`${provider}:${started}`] : undefined))
  const pullModel = useStudio((state) => state.pullModel)
  // Ollama's last line ("success") carries no byte counts; a finished pull is a full bar.
  const percent = pull?.done ? 100 : pull?.total ? Math.round(((pull.completed ?? 0) / pull.total) * 100) : null
  return (
    <form
      className="pull-form"
      onSubmit={(event) => {
        event.preventDefault()
        setStarted(model.trim())
        void pullModel(provider, model.trim())
      }}
    >
      <label htmlFor={`pull-${provider}`}>Pull a model</label>
      <input id={`pull-${provider}`} value={model} onChange={(event) => setModel(event.target.value)} className="mono" spellCheck={false} />
      <button type="submit" disabled={pull !== undefined && !pull.done && !pull.error}>
        Pull
      </button>
      {pull ? (
        <div className="pull-progress" data-testid="pull-progress">
          <progress className="progress" max={100} value={percent ?? undefined} aria-label={`Pulling ${started}`} />
          <span className="small">{pull.error ? pull.error : pull.done ? 'done' : `${pull.status}${percent !== null ? ` · ${percent}%` : ''}`}</span>
        </div>
      ) : null}
    </form>
  )
}
