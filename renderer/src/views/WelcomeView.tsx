import { useState } from 'react'
import { Notice } from '../components/Notice.tsx'
import { PullModel } from '../components/settings/ProvidersPanel.tsx'
import { ProjectEnvPanel } from '../components/workbench/ProjectEnvPanel.tsx'
import { useStudio } from '../store/index.ts'

/** The manual provider the first-run screen saves: every prompt is answered by the user. */
const MANUAL_PROVIDER = 'manual'
const MANUAL_MODEL = 'by-hand'

/**
 * The first-run screen: a Python environment that can verify kernels, then three ways to get
 * answers (the sample replays in one click, a real model, or answering prompts by hand).
 */
export function WelcomeView() {
  return (
    <section className="view welcome" aria-labelledby="welcome-title">
      <header className="pane-header">
        <h1 id="welcome-title">Start here</h1>
      </header>
      <p className="muted">
        The studio drives a Designer, Coder, Verifier and Conductor to write kernels, and verifies and times every candidate on this machine. It needs a Python
        environment with torch, and something that answers the agents&apos; prompts.
      </p>
      <article className="card" aria-labelledby="env-title">
        <h2 id="env-title">1 · Python environment</h2>
        <ProjectEnvPanel />
      </article>
      <div className="welcome-grid">
        <SamplesCard />
        <ModelCard />
        <ManualCard />
      </div>
    </section>
  )
}

function SamplesCard() {
  const start = useStudio((state) => state.startSamples)
  const sample = useStudio((state) => state.sampleStart)
  return (
    <article className="card" aria-labelledby="samples-title">
      <h2 id="samples-title">Try it now: sample replays</h2>
      <p className="small">
        Plays back a recorded session (hand-written answers holding real kernels) for a sample task this machine can run. The kernels are compiled, checked and
        timed for real; the run is labelled a replay.
      </p>
      <button type="button" className="primary" disabled={sample.state === 'loading'} onClick={() => void start()}>
        {sample.state === 'loading' ? 'Starting…' : 'Start a sample run'}
      </button>
      {sample.state === 'error' ? (
        <Notice tone="error" title="The sample run did not start" code={sample.code}>
          {sample.message}
        </Notice>
      ) : null}
      {sample.state === 'ready' ? <p className="muted small">{sample.value.reason}.</p> : null}
    </article>
  )
}

function ModelCard() {
  const save = useStudio((state) => state.saveProvider)
  const saveRoles = useStudio((state) => state.saveRoles)
  const providers = useStudio((state) => state.providers)
  const setView = useStudio((state) => state.setView)
  const [baseUrl, setBaseUrl] = useState('http://127.0.0.1:11434')
  const [problem, setProblem] = useState<string | null>(null)
  const ollama = providers.state === 'ready' ? providers.value.find((provider) => provider.kind === 'ollama') : undefined
  const addOllama = async () => {
    const error = await save({ name: 'ollama', kind: 'ollama', baseUrl, defaultModel: 'qwen2.5-coder:7b' })
    setProblem(error?.message ?? null)
    if (!error) await saveRoles({ coder: 'ollama:qwen2.5-coder:7b' })
  }
  return (
    <article className="card" aria-labelledby="model-title">
      <h2 id="model-title">Use a real model</h2>
      <p className="small">A local Ollama (pull a coder model here, with progress), or an OpenAI-compatible server or Anthropic with an API key in Settings.</p>
      {ollama ? (
        <PullModel provider={ollama.name} />
      ) : (
        <div className="field-row">
          <label htmlFor="welcome-ollama">Ollama address</label>
          <input id="welcome-ollama" className="mono" value={baseUrl} onChange={(event) => setBaseUrl(event.target.value)} spellCheck={false} />
          <button type="button" onClick={() => void addOllama()}>
            Add Ollama
          </button>
        </div>
      )}
      {problem ? (
        <Notice tone="error" title="Not added">
          {problem}
        </Notice>
      ) : null}
      <button type="button" className="link" onClick={() => setView('settings')}>
        API keys and other providers in Settings →
      </button>
    </article>
  )
}

function ManualCard() {
  const save = useStudio((state) => state.saveProvider)
  const saveRoles = useStudio((state) => state.saveRoles)
  const setView = useStudio((state) => state.setView)
  const [problem, setProblem] = useState<string | null>(null)
  const useManual = async () => {
    const model = `${MANUAL_PROVIDER}:${MANUAL_MODEL}`
    const error =
      (await save({ name: MANUAL_PROVIDER, kind: 'manual', defaultModel: MANUAL_MODEL })) ?? (await saveRoles({ designer: model, coder: model, fixer: model }))
    setProblem(error?.message ?? null)
    if (!error) setView('new-run')
  }
  return (
    <article className="card" aria-labelledby="manual-card-title">
      <h2 id="manual-card-title">Answer prompts by hand</h2>
      <p className="small">
        Each prompt appears in the run that waits for it (and as a file); paste the answer from any chat window. Good for trying a model you can only reach in a
        browser.
      </p>
      <button type="button" onClick={() => void useManual()}>
        Use the manual provider
      </button>
      {problem ? (
        <Notice tone="error" title="Not set up">
          {problem}
        </Notice>
      ) : null}
    </article>
  )
}
