import { useMemo, useState } from 'react'
import type { Dsl, ModelPatchReport, ModelReport, ModelWinners } from '../../../agents/contract/index.ts'
import { AbChart, BreakdownCharts, RegionChart } from '../components/model/ModelCharts.tsx'
import { Notice } from '../components/Notice.tsx'
import { localDevices } from '../lib/devices.ts'
import { abRows } from '../lib/model-data.ts'
import { useStudio } from '../store/index.ts'
import { dslNames } from '../../../agents/contract/registry.ts'

const ms = (value: number | null | undefined, digits = 4) => (value === null || value === undefined ? '–' : value.toPrecision(digits))
const percent = (value: number | null | undefined) => (value === null || value === undefined ? '–' : `${(100 * value).toFixed(1)}%`)

/** A user's model: where its time goes, tasks cut from it, the winners patched back and the A/B. */
export function ModelView() {
  const toolchain = useStudio((state) => state.toolchain)
  const devices = useMemo(() => localDevices(toolchain.state === 'ready' ? toolchain.value : undefined), [toolchain])
  const modelPath = useStudio((state) => state.modelPath)
  const modelDevice = useStudio((state) => state.modelDevice)
  const modelReport = useStudio((state) => state.modelReport)
  const setModelTarget = useStudio((state) => state.setModelTarget)
  const profileModel = useStudio((state) => state.profileModel)
  const [compile, setCompile] = useState(false)
  const [top, setTop] = useState(5)
  const [atFloor, setAtFloor] = useState(false)
  const busy = modelReport.state === 'loading'
  const report = modelReport.state === 'ready' ? modelReport.value : modelReport.state === 'loading' ? modelReport.previous : undefined
  return (
    <section className="view" aria-labelledby="model-title">
      <header className="pane-header">
        <h1 id="model-title">Model</h1>
      </header>
      <p className="muted">
        A Python file with <code>get_model()</code> and <code>get_inputs()</code> (or <code>MODULE = "package.module:Class"</code>). It runs in the harness,
        never in the app, and is never edited.
      </p>
      <div className="form-row">
        <label>
          Model file
          <input
            value={modelPath}
            onChange={(event) => setModelTarget(event.target.value, modelDevice)}
            placeholder="/path/to/model.py"
            aria-label="Model file"
          />
        </label>
        <label>
          Device
          <select value={modelDevice} onChange={(event) => setModelTarget(modelPath, event.target.value)} aria-label="Device">
            {devices.map((device) => (
              <option key={device}>{device}</option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={compile} onChange={(event) => setCompile(event.target.checked)} /> what torch.compile fuses
        </label>
        <button type="button" disabled={busy || !modelPath.trim()} onClick={() => void profileModel({ extract: false, compile })}>
          Profile
        </button>
        <label>
          Tasks to write
          <input
            type="number"
            min={1}
            max={50}
            value={top}
            onChange={(event) => setTop(Math.max(1, Math.min(50, Math.round(Number(event.target.value)) || 1)))}
            aria-label="Tasks to write"
            title="the regions that could save the most, in order"
          />
        </label>
        <label className="check" title="a floor from peaks a loaded machine understates can hide a region that a kernel would still speed up">
          <input type="checkbox" checked={atFloor} onChange={(event) => setAtFloor(event.target.checked)} /> also regions at their floor
        </label>
        <button type="button" disabled={busy || !modelPath.trim()} onClick={() => void profileModel({ extract: true, compile, top, atFloor })}>
          Extract tasks
        </button>
      </div>
      {busy ? (
        <Notice tone="info" title="Working">
          Loading the model, profiling it and capturing its graph in the harness…
        </Notice>
      ) : null}
      {modelReport.state === 'error' ? (
        <Notice tone="error" title="The model could not be profiled" code={modelReport.code}>
          <pre className="wrap">{modelReport.message}</pre>
        </Notice>
      ) : null}
      {report ? <ModelReportView report={report} /> : null}
      {report?.tasks_dir ? <PatchPanel report={report} /> : null}
    </section>
  )
}

function ModelReportView({ report }: { report: ModelReport }) {
  return (
    <>
      <p data-testid="model-summary">
        <strong>{report.model.name}</strong> ({report.model.source}, {report.model.parameters.toLocaleString('en')} parameters) on {report.device.id}:{' '}
        {ms(report.eager.total_ms)} ms per forward in eager; graph by {report.capture.method}.
      </p>
      {report.notes.map((note) => (
        <Notice key={note} tone="warning" title="Note">
          {note}
        </Notice>
      ))}
      <BreakdownCharts report={report} />
      <h2>Regions, ranked by what a kernel could save</h2>
      <RegionChart report={report} />
      <table className="table" data-testid="model-regions">
        <thead>
          <tr>
            <th>region</th>
            <th>chain</th>
            <th>where</th>
            <th>ms</th>
            <th>floor ms</th>
            <th>could save</th>
            <th>share</th>
            <th>swap</th>
            <th>task file</th>
          </tr>
        </thead>
        <tbody>
          {report.tasks.map((task) => (
            <tr key={task.id}>
              <td>{task.id}</td>
              <td>
                <code>{task.region.label}</code>
              </td>
              <td>
                {[...new Set(task.occurrences.map((occurrence) => occurrence.path || '(model)'))].join(', ')}
                {task.occurrences.length > 1 ? ` ×${task.occurrences.length}` : ''}
              </td>
              <td>{ms(task.time_ms)}</td>
              <td>{ms(task.floor_ms, 3)}</td>
              <td>{ms(task.savings_ms)}</td>
              <td>{percent(task.share)}</td>
              <td>{task.occurrences.every((occurrence) => occurrence.aligned) ? 'module by path' : 'graph'}</td>
              <td>
                {task.task_path ? (
                  <span title={task.task_path}>
                    {task.file} ({task.status})
                  </span>
                ) : (
                  '–'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.compile && 'kernels' in report.compile ? (
        <>
          <h2>What torch.compile fuses</h2>
          <ul className="plain">
            {report.compile.kernels.slice(0, 12).map((kernel) => (
              <li key={kernel.kernel}>
                <code>{kernel.kernel}</code> {ms(kernel.ms)} ms
              </li>
            ))}
          </ul>
        </>
      ) : report.compile && 'error' in report.compile ? (
        <Notice tone="warning" title="torch.compile breakdown failed">
          {report.compile.error}
        </Notice>
      ) : null}
      {report.tasks_dir ? (
        <p className="muted">
          Task files in <code>{report.tasks_dir}</code>, listed in Tasks: edit them, then run them as a batch in Benchmarks.
        </p>
      ) : null}
    </>
  )
}

function PatchPanel({ report }: { report: ModelReport }) {
  const regionKernels = useStudio((state) => state.regionKernels)
  const setRegionKernel = useStudio((state) => state.setRegionKernel)
  const patchModel = useStudio((state) => state.patchModel)
  const patchReport = useStudio((state) => state.patchReport)
  const modelWinners = useStudio((state) => state.modelWinners)
  const fillWinners = useStudio((state) => state.fillWinners)
  const found = modelWinners.state === 'ready' ? modelWinners.value : null
  const [compile, setCompile] = useState(true)
  const [slower, setSlower] = useState(false)
  const written = report.tasks.filter((task) => task.task_path)
  const busy = patchReport.state === 'loading'
  return (
    <>
      <h2>Put the winners back</h2>
      <p className="muted">
        For each region, the winning candidate (ModelNew) of its run. The patch swaps them into a copy of the model and refuses any kernel that breaks the
        model's output.
      </p>
      <div className="form-row">
        <button type="button" disabled={modelWinners.state === 'loading'} onClick={() => void fillWinners({ slower })}>
          Fill from runs
        </button>
        <label className="check">
          <input type="checkbox" checked={slower} onChange={(event) => setSlower(event.target.checked)} /> also slower than eager
        </label>
        <span className="muted">
          the best correct candidate of each task's runs on {report.device.id}; one slower than eager on its task is left out unless asked for; a file given by
          hand can replace it
        </span>
      </div>
      {modelWinners.state === 'error' ? (
        <Notice tone="error" title="The winners could not be looked up" code={modelWinners.code}>
          {modelWinners.message}
        </Notice>
      ) : null}
      <table className="table">
        <thead>
          <tr>
            <th>region</th>
            <th>winning candidate</th>
            <th>DSL</th>
            <th>from</th>
          </tr>
        </thead>
        <tbody>
          {written.map((task) => (
            <tr key={task.id}>
              <td>
                {task.id} <code>{task.region.label}</code>
              </td>
              <td>
                <input
                  aria-label={`winner for ${task.id}`}
                  value={regionKernels[task.id]?.path ?? ''}
                  onChange={(event) => setRegionKernel(task.id, { path: event.target.value, dsl: regionKernels[task.id]?.dsl ?? 'cpp' })}
                  placeholder="/path/to/winner.py"
                />
              </td>
              <td>
                <select
                  aria-label={`DSL for ${task.id}`}
                  value={regionKernels[task.id]?.dsl ?? 'cpp'}
                  onChange={(event) => setRegionKernel(task.id, { path: regionKernels[task.id]?.path ?? '', dsl: event.target.value as Dsl })}
                >
                  {dslNames.map((dsl) => (
                    <option key={dsl}>{dsl}</option>
                  ))}
                </select>
              </td>
              <td data-testid={`winner-origin-${task.id}`}>
                <WinnerOrigin id={task.id} found={found} path={regionKernels[task.id]?.path} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="form-row">
        <label className="check">
          <input type="checkbox" checked={compile} onChange={(event) => setCompile(event.target.checked)} /> time torch.compile sides too
        </label>
        <button type="button" disabled={busy || Object.keys(regionKernels).length === 0} onClick={() => void patchModel({ compare: false, compile })}>
          Apply
        </button>
        <button type="button" disabled={busy || Object.keys(regionKernels).length === 0} onClick={() => void patchModel({ compare: true, compile })}>
          Apply and compare
        </button>
      </div>
      {busy ? (
        <Notice tone="info" title="Working">
          Checking each kernel inside the model, then timing every side…
        </Notice>
      ) : null}
      {patchReport.state === 'error' ? (
        <Notice tone="error" title="The patch could not be made" code={patchReport.code}>
          <pre className="wrap">{patchReport.message}</pre>
        </Notice>
      ) : null}
      {patchReport.state === 'ready' ? <PatchReportView report={patchReport.value} /> : null}
    </>
  )
}

/** Where a region's kernel came from: the run and candidate Fill from runs found, or a file given by hand. */
function WinnerOrigin({ id, found, path }: { id: string; found: ModelWinners | null; path: string | undefined }) {
  const winner = found?.winners[id]
  if (winner && winner.path === path) {
    const speedup =
      winner.speedupVsEager === null ? 'not timed against eager' : `${winner.speedupVsEager.toFixed(2)}x over eager${winner.noisy ? ' (noisy)' : ''}`
    return (
      <span>
        {winner.runTitle} · {winner.candidateId} · {speedup}
        {winner.replay ? ' · replayed answers' : ''}
      </span>
    )
  }
  if (path) return <span className="muted">given by hand</span>
  const missing = found?.missing.find((item) => item.id === id)
  return missing ? <span className="muted">no winner: {missing.reason}</span> : null
}

function PatchReportView({ report }: { report: ModelPatchReport }) {
  return (
    <div data-testid="model-patch">
      <p>
        {report.accepted.length} region(s) accepted, {report.refused.length} refused (
        {report.mode === 'module' ? 'modules swapped by path' : 'graph regions swapped'}).
        {report.patch_module ? (
          <>
            {' '}
            Patch module: <code>{report.patch_module}</code>
          </>
        ) : null}
      </p>
      {report.refused.map((item) => (
        <Notice key={item.id} tone="error" title={`${item.id} refused`}>
          {item.reason}
        </Notice>
      ))}
      {report.combined.passed === false ? (
        <Notice tone="error" title="Together the accepted regions break the output">
          {report.combined.checks.find((check) => !check.passed)?.summary}
        </Notice>
      ) : null}
      {report.notes.map((note) => (
        <Notice key={note} tone="warning" title="Note">
          {note}
        </Notice>
      ))}
      {report.region_share !== undefined && report.region_share !== null ? (
        <p>The accepted regions held {percent(report.region_share)} of the model's profiled time.</p>
      ) : null}
      {(report.sets ?? []).map((set) => (
        <div key={set.inputs.map((shape) => shape.join('x')).join(' ')}>
          <h3>
            Inputs {set.inputs.map((shape) => `[${shape.join('×')}]`).join(' ')} (batch {set.batch})
          </h3>
          <AbChart set={set} />
          <table className="table" data-testid="model-ab">
            <thead>
              <tr>
                <th>side</th>
                <th>median ms</th>
                <th>IQR ms</th>
                <th>items/s</th>
                <th>note</th>
              </tr>
            </thead>
            <tbody>
              {abRows(set).map((row) => (
                <tr key={row.side}>
                  <td>{row.label}</td>
                  <td>{ms(row.median_ms)}</td>
                  <td>{ms(row.iqr_ms, 2)}</td>
                  <td>{row.items_per_s ? row.items_per_s.toFixed(1) : '–'}</td>
                  <td>{row.error ?? (row.skipped ? `not timed: ${row.skipped}` : row.noisy ? `noisy: ${row.noise ?? ''}` : '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            {Object.entries(set.speedups)
              .filter(([, value]) => value !== null)
              .map(([name, value]) => `${name.replaceAll('_', ' ')} ${value!.toFixed(3)}×`)
              .join(' · ')}
          </p>
        </div>
      ))}
      {report.notes.map((note) => (
        <Notice key={note} tone="warning" title="Note">
          {note}
        </Notice>
      ))}
    </div>
  )
}
