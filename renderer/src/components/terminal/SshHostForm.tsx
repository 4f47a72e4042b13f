import { useState } from 'react'
import { useStudio } from '../../store/index.ts'
import { Notice } from '../Notice.tsx'

/**
 * Adds a GPU server reached over SSH. Only the address and ssh options are kept; keys stay in the
 * user's ssh setup (agent, ~/.ssh/config), so `ssh <destination>` must work without a password.
 */
export function SshHostForm() {
  const add = useStudio((state) => state.addSshHost)
  const [name, setName] = useState('')
  const [destination, setDestination] = useState('')
  const [port, setPort] = useState('')
  const [python, setPython] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  return (
    <form
      className="env-add ssh-form"
      aria-label="Add an SSH host"
      onSubmit={(event) => {
        event.preventDefault()
        setBusy(true)
        void add({ name: name.trim(), destination: destination.trim(), port: port ? Number(port) : undefined, python: python.trim() || undefined })
          .then((message) => setError(message))
          .finally(() => setBusy(false))
      }}
    >
      <input aria-label="Host name" placeholder="name (gpu-box)" value={name} onChange={(event) => setName(event.target.value)} required />
      <input
        aria-label="SSH destination"
        placeholder="user@server or ~/.ssh/config alias"
        value={destination}
        onChange={(event) => setDestination(event.target.value)}
        required
      />
      <input
        aria-label="SSH port"
        placeholder="22"
        inputMode="numeric"
        value={port}
        onChange={(event) => setPort(event.target.value.replace(/\D/g, ''))}
        style={{ maxWidth: 70 }}
      />
      <input aria-label="Remote Python" placeholder="python3" value={python} onChange={(event) => setPython(event.target.value)} />
      <button type="submit" disabled={busy}>
        {busy ? 'Connecting…' : 'Add host'}
      </button>
      {error ? (
        <Notice tone="error" title="SSH host">
          {error}
        </Notice>
      ) : null}
    </form>
  )
}
