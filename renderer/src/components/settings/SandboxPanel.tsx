import { useEffect, useState } from 'react'
import type { SandboxSettings } from '../../../../agents/contract/index.ts'
import { request } from '../../transport/index.ts'
import { Notice } from '../Notice.tsx'

const LIMITS: Array<{ key: 'memoryMb' | 'processes' | 'fileSizeMb' | 'cpuSeconds'; label: string; hint: string }> = [
  { key: 'memoryMb', label: 'Memory (MiB of address space)', hint: 'CPU workers: half the RAM; GPU workers: none (CUDA reserves address space)' },
  { key: 'processes', label: 'Processes and threads', hint: 'default: 16 per core, at least 1024' },
  { key: 'fileSizeMb', label: 'Largest file (MiB)', hint: 'default: 32768' },
  { key: 'cpuSeconds', label: 'CPU time per worker process (s)', hint: 'default: 86400' },
]

/** How model-written candidates are contained: the sandbox's limits and the unsandboxed opt-in. */
export function SandboxPanel() {
  const [settings, setSettings] = useState<SandboxSettings | null>(null)
  const [message, setMessage] = useState<{ tone: 'error' | 'info'; text: string; code?: string } | null>(null)
  useEffect(() => {
    void request('toolchain.sandbox', {}).then((result) => result.ok && setSettings(result.data))
  }, [])
  if (!settings) return null
  const save = (next: SandboxSettings) =>
    void request('toolchain.setSandbox', next).then((result) => {
      if (result.ok) setSettings(result.data)
      setMessage(
        result.ok
          ? { tone: 'info', text: "Saved; this machine's workers restart with it." }
          : { tone: 'error', text: result.error.message, code: result.error.code },
      )
    })
  return (
    <section className="settings-section" aria-labelledby="sandbox-title">
      <h2 id="sandbox-title">Sandbox</h2>
      <p className="muted">
        Kernels from a model run inside a sandbox (bubblewrap on Linux): no network, no keys, no data folder, read-only code. Toolchains shows whether this host
        has one.
      </p>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault()
          save(settings)
        }}
      >
        <fieldset>
          <legend>Limits per sandboxed process (empty: default, 0: unlimited)</legend>
          {LIMITS.map(({ key, label, hint }) => (
            <label key={key}>
              {label}
              <input
                type="number"
                min={0}
                step={1}
                value={settings[key] ?? ''}
                placeholder={hint}
                onChange={(event) => setSettings({ ...settings, [key]: event.target.value === '' ? undefined : Number(event.target.value) })}
              />
            </label>
          ))}
          <label className="radio-row">
            <input
              type="checkbox"
              checked={settings.allowUnsandboxed}
              onChange={(event) => setSettings({ ...settings, allowUnsandboxed: event.target.checked })}
            />
            Allow evaluation without a sandbox where none can be set up (the candidate can read what you can; every verdict says “unsandboxed”)
          </label>
          <div className="form-actions">
            <button type="submit">Save sandbox settings</button>
          </div>
          {message ? <Notice tone={message.tone} title={message.text} code={message.code} /> : null}
        </fieldset>
      </form>
    </section>
  )
}
