import { useEffect } from 'react'
import { useStudio } from '../../store/index.ts'
import { Notice } from '../Notice.tsx'
import { SshHostForm } from './SshHostForm.tsx'

/** The runner's hosts, workers (one per device) and queue, live from runner-status events. */
export function RunnerStatusTable() {
  const status = useStudio((state) => state.runnerStatus)
  const load = useStudio((state) => state.loadRunnerStatus)
  const removeHost = useStudio((state) => state.removeSshHost)
  useEffect(() => void load(), [load])
  if (status.state === 'error')
    return (
      <Notice tone="error" title="Runner" code={status.code}>
        {status.message}
      </Notice>
    )
  const value = status.state === 'ready' ? status.value : undefined
  return (
    <div data-testid="runner-status">
      <div className="pane-header">
        <h2>Runner</h2>
        <button type="button" onClick={() => void load(true)}>
          Start workers
        </button>
      </div>
      {value ? (
        <>
          <div className="runner-summary">
            <span>capacity {value.capacity}</span>
            <span>queue {value.queue.length}</span>
            <span>passed {value.evaluations.passed}</span>
            <span>failed {value.evaluations.failed}</span>
            <span>timed out {value.evaluations.timedOut}</span>
            <span>crashed {value.evaluations.crashed}</span>
          </div>
          <ul className="device-list" aria-label="Hosts">
            {value.hosts.map((host) => (
              <li key={host.name}>
                <span className="mono">{host.name}</span>{' '}
                <span className="muted">
                  {host.kind} · {host.state}
                </span>
                {host.kind === 'ssh' ? (
                  <button type="button" className="link-button" onClick={() => void removeHost(host.name)}>
                    remove
                  </button>
                ) : null}
                {host.error ? (
                  <Notice tone="error" title={`Host ${host.name}`}>
                    {host.error}
                  </Notice>
                ) : null}
              </li>
            ))}
          </ul>
          <table className="worker-table">
            <caption>Workers</caption>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">State</th>
                <th scope="col">Stage</th>
                <th scope="col">pid</th>
                <th scope="col">Done</th>
                <th scope="col">Restarts</th>
              </tr>
            </thead>
            <tbody>
              {value.workers.length === 0 ? (
                <tr>
                  <td colSpan={6} className="muted">
                    No workers yet: they start with the first evaluation, or with “Start workers”.
                  </td>
                </tr>
              ) : null}
              {value.workers.map((worker) => (
                <tr key={worker.key} title={worker.lastError ?? undefined}>
                  <th scope="row" className="mono">
                    {worker.key}
                  </th>
                  <td className={`state-${worker.state}`}>{worker.state}</td>
                  <td className="mono">{worker.stage ?? '—'}</td>
                  <td className="mono">{worker.pid ?? '—'}</td>
                  <td>{worker.evaluations}</td>
                  <td>{worker.restarts}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <SshHostForm />
        </>
      ) : (
        <p className="muted">Asking the runner…</p>
      )}
    </div>
  )
}
