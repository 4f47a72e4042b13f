import { useEffect, useState } from 'react'
import type { AppInfo } from '../../../agents/contract/index.ts'
import { request } from '../transport/index.ts'
import { useStudio } from '../store/index.ts'

export function SettingsView() {
  const theme = useStudio((state) => state.theme)
  const setTheme = useStudio((state) => state.setTheme)
  const [info, setInfo] = useState<AppInfo | null>(null)
  useEffect(() => {
    void request('app.info', {}).then((result) => result.ok && setInfo(result.data))
  }, [])
  return (
    <section className="view" aria-labelledby="settings-title">
      <header className="pane-header">
        <h1 id="settings-title">Settings</h1>
      </header>
      <fieldset className="settings-group">
        <legend>Theme</legend>
        {(['dark', 'light'] as const).map((value) => (
          <label key={value} className="radio">
            <input type="radio" name="theme" value={value} checked={theme === value} onChange={() => setTheme(value)} /> {value}
          </label>
        ))}
      </fieldset>
      {info ? (
        <dl className="about" aria-label="About">
          <dt>Version</dt><dd>{info.version}</dd>
          <dt>Platform</dt><dd>{info.platform}/{info.arch}</dd>
          <dt>Connected through</dt><dd>{info.transport}</dd>
          <dt>Data folder</dt><dd className="mono">{info.dataDir}</dd>
        </dl>
      ) : null}
    </section>
  )
}
