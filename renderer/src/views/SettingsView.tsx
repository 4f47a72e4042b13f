import { useEffect, useState } from 'react'
import type { AppInfo } from '../../../agents/contract/index.ts'
import { ManualPrompts } from '../components/settings/ManualPrompts.tsx'
import { ProvidersPanel } from '../components/settings/ProvidersPanel.tsx'
import { RolesPanel } from '../components/settings/RolesPanel.tsx'
import { SandboxPanel } from '../components/settings/SandboxPanel.tsx'
import { useStudio } from '../store/index.ts'
import { request } from '../transport/index.ts'

export function SettingsView() {
  const theme = useStudio((state) => state.theme)
  const setTheme = useStudio((state) => state.setTheme)
  const setView = useStudio((state) => state.setView)
  const loadProviders = useStudio((state) => state.loadProviders)
  const [info, setInfo] = useState<AppInfo | null>(null)
  useEffect(() => {
    void loadProviders()
    void request('app.info', {}).then((result) => result.ok && setInfo(result.data))
  }, [loadProviders])
  return (
    <section className="view settings-view" aria-labelledby="settings-title">
      <header className="pane-header">
        <h1 id="settings-title">Settings</h1>
      </header>
      <ManualPrompts />
      <ProvidersPanel />
      <RolesPanel />
      <SandboxPanel />
      <section className="settings-section" aria-labelledby="hosts-title">
        <h2 id="hosts-title">Hosts and environments</h2>
        <p className="muted">The Python environment that runs the harness, SSH hosts with GPUs and their workers are set up in Toolchains.</p>
        <div>
          <button type="button" onClick={() => setView('toolchains')}>
            Open Toolchains
          </button>
        </div>
      </section>
      <section className="settings-section" aria-labelledby="theme-title">
        <h2 id="theme-title">Theme</h2>
        <fieldset className="settings-group">
          <legend className="sr-only">Theme</legend>
          {(['dark', 'light'] as const).map((value) => (
            <label key={value} className="radio">
              <input type="radio" name="theme" value={value} checked={theme === value} onChange={() => setTheme(value)} /> {value}
            </label>
          ))}
        </fieldset>
      </section>
      {info ? (
        <dl className="about" aria-label="About">
          <dt>Version</dt>
          <dd>{info.version}</dd>
          <dt>Platform</dt>
          <dd>
            {info.platform}/{info.arch}
          </dd>
          <dt>Connected through</dt>
          <dd>{info.transport}</dd>
          <dt>Data folder</dt>
          <dd className="mono">{info.dataDir}</dd>
        </dl>
      ) : null}
    </section>
  )
}
