import { useEffect } from 'react'
import type { DeviceInfo, SandboxStatus, ToolStatus } from '../../../agents/contract/index.ts'
import { Notice } from '../components/Notice.tsx'
import { CachedMeasurements } from '../components/terminal/CachedMeasurements.tsx'
import { ClusterPanel } from '../components/terminal/ClusterPanel.tsx'
import { EnvironmentList } from '../components/terminal/EnvironmentList.tsx'
import { RunnerStatusTable } from '../components/terminal/RunnerStatusTable.tsx'
import { TerminalPanel } from '../components/terminal/TerminalPanel.tsx'
import { ProjectEnvPanel } from '../components/workbench/ProjectEnvPanel.tsx'
import { useStudio } from '../store/index.ts'

export function ToolchainsView() {
  const toolchain = useStudio((state) => state.toolchain)
  const detect = useStudio((state) => state.detectToolchain)
  useEffect(() => {
    if (toolchain.state === 'idle') void detect()
  }, [toolchain.state, detect])
  const report = toolchain.state === 'ready' ? toolchain.value : toolchain.state === 'loading' ? toolchain.previous : undefined
  return (
    <section className="view" aria-labelledby="toolchains-title">
      <header className="pane-header">
        <h1 id="toolchains-title">Toolchains</h1>
        <button type="button" onClick={() => void detect(true)} disabled={toolchain.state === 'loading'}>
          {toolchain.state === 'loading' ? 'Detecting…' : 'Detect again'}
        </button>
      </header>
      <div className="toolchains-grid">
        <div>
          <ProjectEnvPanel />
          <EnvironmentList />
          {toolchain.state === 'error' ? (
            <Notice tone="error" title="Detection failed" code={toolchain.code}>
              {toolchain.message}
            </Notice>
          ) : null}
          {!report && toolchain.state === 'loading' ? <p className="muted">Asking Python for torch, triton and friends…</p> : null}
          {report ? (
            <div data-testid="toolchain-report">
              <p className="muted">
                Detected {new Date(report.detectedAt).toLocaleString()} in {(report.durationMs / 1000).toFixed(1)} s
              </p>
              <ul className="device-list" data-testid="devices">
                {(report.devices ?? []).map((device) => (
                  <li key={`${device.kind}:${device.index}`} className="mono">
                    {describeDevice(device)}
                  </li>
                ))}
                {(report.devices ?? []).every((device) => device.kind === 'cpu') ? (
                  <li className="muted">No GPU or NPU visible to torch here: evaluations run on the CPU.</li>
                ) : null}
              </ul>
              <SandboxLine sandbox={report.sandbox} />
              <ToolTable title="Python environment" tools={[report.python, ...report.packages]} />
              <ToolTable title="Compilers, profilers and device tools" tools={report.executables} />
            </div>
          ) : null}
          <CachedMeasurements />
        </div>
        <div>
          <RunnerStatusTable />
          <ClusterPanel />
          <h2>Terminal</h2>
          <TerminalPanel python={report?.python.found ? (report.python.path ?? undefined) : undefined} />
        </div>
      </div>
    </section>
  )
}

/** Whether candidates run sandboxed here; when not, what to install. */
function SandboxLine({ sandbox }: { sandbox?: SandboxStatus | null }) {
  if (sandbox === undefined || sandbox === null) return null
  if (sandbox.available && sandbox.tool === 'bwrap') {
    return (
      <p data-testid="sandbox-status">
        Sandbox: {sandbox.version ?? 'bubblewrap'} · process limit: {sandbox.processLimit ?? 'unknown'}
      </p>
    )
  }
  return (
    <Notice
      tone={sandbox.available ? 'warning' : 'error'}
      title={sandbox.available ? 'Sandbox: partial (unshare only)' : 'No sandbox: candidates from a model are refused'}
    >
      <span data-testid="sandbox-status">
        {sandbox.reason} To fix: {sandbox.install}
        {sandbox.available ? '' : ' (or allow unsandboxed evaluation in Settings, at your own risk).'}
      </span>
    </Notice>
  )
}

function describeDevice(device: DeviceInfo): string {
  const name = device.kind === 'cpu' ? `cpu · ${device.name}` : `${device.kind}:${device.index} · ${device.name}`
  const parts = [device.memory_gb ? `${device.memory_gb} GiB` : null, device.peak_bandwidth_gbs ? `${device.peak_bandwidth_gbs} GB/s` : null]
  for (const [precision, tflops] of Object.entries(device.peak_tflops ?? {})) parts.push(`${tflops} TFLOP/s ${precision}`)
  const shown = parts.filter(Boolean).join(', ')
  return `${name}${shown ? ` (${shown}${device.peaks_source ? `; peaks ${device.peaks_source}` : ''})` : ''}`
}

function ToolTable({ title, tools }: { title: string; tools: ToolStatus[] }) {
  return (
    <table className="tool-table">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">Tool</th>
          <th scope="col">Status</th>
          <th scope="col">Version</th>
          <th scope="col">Where, or what to do</th>
        </tr>
      </thead>
      <tbody>
        {tools.map((tool) => (
          <tr key={tool.name} className={tool.found ? 'found' : 'missing'}>
            <th scope="row" className="mono">
              {tool.name}
            </th>
            <td>
              <span className={tool.found ? 'badge ok' : 'badge bad'}>{tool.found ? 'found' : 'missing'}</span>
            </td>
            <td className="mono">{tool.version ?? '—'}</td>
            <td className="mono wrap">
              {tool.found ? (
                tool.path
              ) : (
                <>
                  {tool.reason}
                  {tool.install ? <div className="install">→ {tool.install}</div> : null}
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
