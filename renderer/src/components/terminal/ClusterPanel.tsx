import { useEffect, useState } from 'react'
import type { ClusterStatus } from '../../../../agents/contract/index.ts'
import { request } from '../../transport/index.ts'
import { Notice } from '../Notice.tsx'

/**
 * A Ray cluster that verifies candidates: its address, and what it has (nodes, GPUs with model,
 * memory and load). Runs and batches use it with the device `ray:cuda` (or `ray:cpu`).
 */
export function ClusterPanel() {
  const [status, setStatus] = useState<ClusterStatus | null>(null)
  const [address, setAddress] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const refresh = async () => {
    const result = await request('runner.cluster', {})
    if (result.ok) {
      setStatus(result.data)
      if (result.data.address) setAddress((current) => current || (result.data.address ?? ''))
    } else setError(result.error.message)
  }
  useEffect(() => {
    void refresh()
  }, [])
  const connect = async () => {
    setBusy(true)
    setError(null)
    const result = await request('runner.connectCluster', { address: address.trim() })
    if (result.ok) setStatus(result.data)
    else setError(result.error.message)
    setBusy(false)
  }
  const disconnect = async () => {
    setBusy(true)
    const result = await request('runner.disconnectCluster', {})
    if (!result.ok) setError(result.error.message)
    await refresh()
    setBusy(false)
  }
  const nodes = status?.inventory?.nodes ?? []
  return (
    <section aria-labelledby="cluster-title" data-testid="cluster-panel">
      <h2 id="cluster-title">Ray cluster</h2>
      <form
        className="env-add"
        aria-label="Connect a Ray cluster"
        onSubmit={(event) => {
          event.preventDefault()
          void connect()
        }}
      >
        <input
          aria-label="Ray address"
          placeholder="ray://head:10001, head:6379 or auto"
          value={address}
          onChange={(event) => setAddress(event.target.value)}
          required
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Connecting…' : status?.address ? 'Reconnect' : 'Connect'}
        </button>
        {status?.address ? (
          <button type="button" disabled={busy} onClick={() => void disconnect()}>
            Disconnect
          </button>
        ) : null}
      </form>
      {error || status?.error ? (
        <Notice tone="error" title="Ray cluster">
          {error ?? status?.error}
        </Notice>
      ) : null}
      {status?.inventory ? (
        <>
          <p className="muted">
            Ray {status.inventory.ray_version} at <span className="mono">{status.address}</span>: {nodes.length} node{nodes.length === 1 ? '' : 's'}, free now:{' '}
            {Object.entries(status.inventory.available)
              .map(([name, value]) => `${value} ${name}`)
              .join(', ') || 'nothing'}
            . Use the device <span className="mono">ray:cuda</span> (or <span className="mono">ray:cpu</span>) in a run or batch.
          </p>
          <table className="table" data-testid="cluster-nodes">
            <thead>
              <tr>
                <th>Node</th>
                <th>CPUs</th>
                <th>GPUs</th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((node) => (
                <tr key={node.node_id}>
                  <td className="mono">
                    {node.hostname ?? node.address ?? node.node_id.slice(0, 8)}
                    {node.head ? ' (head)' : ''}
                  </td>
                  <td>{node.cpus}</td>
                  <td>
                    {node.gpus === 0
                      ? 'none'
                      : node.gpu_details.length > 0
                        ? node.gpu_details
                            .map(
                              (gpu) =>
                                `${gpu.name} ${gpu.memory_mb !== null ? `${(gpu.memory_mb / 1024).toFixed(0)} GiB` : ''} ${gpu.utilization_pct ?? '?'} % busy`,
                            )
                            .join('; ')
                        : `${node.gpus} × ${node.gpu_model ?? 'GPU'}${node.gpu_error ? ` (${node.gpu_error})` : ''}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  )
}
