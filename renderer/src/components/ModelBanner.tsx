import { useState } from 'react'
import { useStudio } from '../store/index.ts'

/** Shown when no provider answered at launch: exactly what to do, rather than an empty screen. */
export function ModelBanner() {
  const reachable = useStudio((state) => state.modelReachable)
  const setView = useStudio((state) => state.setView)
  const view = useStudio((state) => state.view)
  const startSamples = useStudio((state) => state.startSamples)
  // Replays and forks need no model: the banner can be put away for this session.
  const [hidden, setHidden] = useState(false)
  if (reachable !== false || hidden || view === 'welcome') return null
  return (
    <div className="notice notice-warning banner" role="status" data-testid="model-banner">
      <strong>No model is reachable, so runs cannot start yet.</strong> Do one of these:
      <ol>
        <li>Try the studio now with the sample replays: recorded answers with real kernels, verified and timed on this machine, labelled as replays.</li>
        <li>
          Start Ollama (<code>ollama serve</code>) and pull a coder model: <code>ollama pull qwen2.5-coder:7b</code>, or use Pull in Settings → Model providers.
        </li>
        <li>Add an OpenAI-compatible or Anthropic provider with its API key in Settings.</li>
        <li>
          Add a <em>manual</em> provider: each prompt is shown here and written to a file, and you paste the answer from any chat window.
        </li>
      </ol>
      <div className="banner-actions">
        <button type="button" className="primary" onClick={() => void startSamples()}>
          Start a sample run
        </button>
        {view !== 'settings' ? (
          <button type="button" onClick={() => setView('settings')}>
            Open Settings
          </button>
        ) : null}
        <button type="button" onClick={() => setHidden(true)}>
          Hide
        </button>
      </div>
    </div>
  )
}
