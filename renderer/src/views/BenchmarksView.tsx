import { useEffect, useMemo, useState } from 'react'
import type { BenchReport, Dsl, RunBudget, TaskSummary } from '../../../agents/contract/index.ts'
import { FastPChart } from '../components/bench/FastPChart.tsx'
import { Notice } from '../components/Notice.tsx'
import { BudgetFields, cleanModels, ModelFields, TargetFields } from '../components/RunOptions.tsx'
import { formatSpeedup } from '../components/run/SpeedupChart.tsx'
import { defaultTarget, localDevices } from '../lib/devices.ts'
import { defaultBudget as DEFAULT_BUDGET } from '../../../agents/contract/registry.ts'
import { useStudio } from '../store/index.ts'
import { request } from '../transport/index.ts'
import { useForm } from '../lib/use-form.ts'
import { NoisyBadge } from '../components/NoisyBadge.tsx'

/** Batches of tasks: one run per task, a table of outcomes, fast_p, geometric means, exports. */
export function BenchmarksView() {
  const benchList = useStudio((state) => state.benchList)
  const loadBenches = useStudio((state) => state.loadBenches)
  const openBench = useStudio((state) => state.openBench)
  const selected = useStudio((state) => state.selectedBenchId)
  const report = useStudio((state) => (state.selectedBenchId ? state.benchReports[state.selectedBenchId] : undefined))
  useEffect(() => {
    void loadBenches()
  }, [loadBenches])
  return (
    <section className="view" aria-labelledby="bench-title">
      <header className="pane-header">
        <h1 id="bench-title">Benchmarks</h1>
      </header>
      <NewBench />
      {benchList.state === 'error' ? (
        <Notice tone="error" title="Could not list batches" code={benchList.code}>
          {benchList.message}
        </Notice>
      ) : null}
      {benchList.state === 'ready' && benchList.value.length > 0 ? (
        <div className="segmented wrap-buttons" role="group" aria-label="Batches">
          {benchList.value.map((bench) => (
            <button
              key={bench.id}
              type="button"
              aria-pressed={bench.id === selected}
              className={bench.id === selected ? 'active' : ''}
              onClick={() => void openBench(bench.id)}
            >
              {bench.title} · {bench.finished}/{bench.tasks} · {bench.status}
            </button>
          ))}
        </div>
      ) : null}
      {report?.state === 'error' ? (
        <Notice tone="error" title="Could not read the batch" code={report.code}>
          {report.message}
        </Notice>
      ) : null}
      {report?.state === 'ready' ? <BenchReportView report={report.value} /> : null}
    </section>
  )
}

function NewBench() {
  const taskList = useStudio((state) => state.taskList)
  const loadTasks = useStudio((state) => state.loadTasks)
  const toolchain = useStudio((state) => state.toolchain)
  const roleModels = useStudio((state) => state.roleModels)
  const modelChoices = useStudio((state) => state.modelChoices)
  const startBench = useStudio((state) => state.startBench)
  const devices = useMemo(() => localDevices(toolchain.state === 'ready' ? toolchain.value : undefined), [toolchain])
  // Kept across views (useForm): leaving Benchmarks and coming back finds the batch as it was being set up.
  const [form, setForm] = useForm<{ chosen: string[]; target: { dsl: Dsl; device: string } | null; open: boolean }>('bench.new', {
    chosen: [],
    target: null,
    open: false,
  })
  const chosen = new Set(form.chosen)
  const target = form.target
  const setTarget = (next: { dsl: Dsl; device: string }) => setForm((current) => ({ ...current, target: next }))
  const open = form.open
  const setOpen = (next: boolean) => setForm((current) => ({ ...current, open: next }))
  const [models, setModels] = useState(roleModels)
  // Settings' roles arrive after the first render; take them unless the user has typed models already.
  useEffect(() => setModels((current) => (Object.values(current).some(Boolean) ? current : roleModels)), [roleModels])
  const [budget, setBudget] = useState<RunBudget>({ ...DEFAULT_BUDGET, steps: 4, candidates: 4 })
  const [error, setError] = useState<{ code: string; message: string } | null>(null)
  useEffect(() => {
    if (taskList.state === 'idle') void loadTasks()
  }, [taskList.state, loadTasks])
  const tasks: TaskSummary[] = taskList.state === 'ready' ? taskList.value : []
  const effective = target ?? defaultTarget(devices)
  const toggle = (path: string) =>
    setForm((current) => ({ ...current, chosen: current.chosen.includes(path) ? current.chosen.filter((item) => item !== path) : [...current.chosen, path] }))
  const start = async () => {
    setError(null)
    const problem = await startBench({ taskPaths: [...chosen], dsl: effective.dsl, device: effective.device, models: cleanModels(models), budget })
    setError(problem)
    if (!problem) setOpen(false)
  }
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        New batch…
      </button>
    )
  return (
    <div className="form-grid">
      <fieldset>
        <legend>Tasks ({chosen.size} chosen)</legend>
        <div className="check-list">
          {tasks.map((task) => (
            <label key={task.id} className="check-row">
              <input type="checkbox" checked={chosen.has(task.path)} onChange={() => toggle(task.path)} />
              <span className="mono small">
                {task.level !== null ? `L${task.level} ` : ''}
                {task.name}
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Target and models</legend>
        <TargetFields dsl={effective.dsl} device={effective.device} devices={devices} onChange={setTarget} idPrefix="bench" />
        <ModelFields models={models} choices={modelChoices} onChange={setModels} idPrefix="bench" />
        <BudgetFields budget={budget} onChange={setBudget} idPrefix="bench" />
      </fieldset>
      {error ? (
        <Notice tone="error" title="The batch did not start" code={error.code}>
          {error.message}
        </Notice>
      ) : null}
      <div className="form-actions">
        <button type="button" className="primary" disabled={chosen.size === 0} onClick={() => void start()}>
          Run {chosen.size} tasks
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
    </div>
  )
}

function BenchReportView({ report }: { report: BenchReport }) {
  const openRun = useStudio((state) => state.openRun)
  const [exported, setExported] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const metrics = report.metrics
  const exportAs = async (format: 'csv' | 'json') => {
    setError(null)
    const result = await request('bench.export', { benchId: report.summary.id, format })
    if (!result.ok) return setError(result.error.message)
    setExported(result.data.path)
    // Also offered as a download, since in browser mode the file is on the backend's machine.
    const link = document.createElement('a')
    link.href = URL.createObjectURL(new Blob([result.data.content], { type: format === 'csv' ? 'text/csv' : 'application/json' }))
    link.download = `${report.summary.id}.${format}`
    link.click()
    URL.revokeObjectURL(link.href)
  }
  return (
    <div className="bench-report" data-testid="bench-report">
      <header className="pane-header">
        <h2>{report.summary.title}</h2>
        <span className="muted small">
          {report.summary.dsl} on {report.summary.device} · {report.summary.workflow} · {report.summary.status}
        </span>
        <span className="spacer" />
        <button type="button" onClick={() => void exportAs('csv')}>
          Export CSV
        </button>
        <button type="button" onClick={() => void exportAs('json')}>
          Export JSON
        </button>
      </header>
      {exported ? (
        <Notice tone="info" title="Exported">
          Written to <span className="mono">{exported}</span> and downloaded.
        </Notice>
      ) : null}
      {error ? (
        <Notice tone="error" title="Export failed">
          {error}
        </Notice>
      ) : null}
      <dl className="metric-cards" aria-label="Summary">
        <div>
          <dt>correct</dt>
          <dd data-testid="bench-correct">
            {metrics.correct} / {metrics.tasks}
          </dd>
        </div>
        <div>
          <dt>geomean vs eager</dt>
          <dd>{formatSpeedup(metrics.geomeanSpeedupVsEager)}</dd>
        </div>
        <div>
          <dt>geomean vs compile</dt>
          <dd>{formatSpeedup(metrics.geomeanSpeedupVsCompile)}</dd>
        </div>
        {Object.entries(metrics.fastP.eager)
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([p, share]) => (
            <div key={p}>
              <dt>fast_{p} (eager)</dt>
              <dd>{Math.round(share * 100)}%</dd>
            </div>
          ))}
      </dl>
      <FastPChart rows={report.rows} />
      <table className="data-table" data-testid="bench-table">
        <thead>
          <tr>
            <th scope="col">task</th>
            <th scope="col">status</th>
            <th scope="col">correct</th>
            <th scope="col">median ms</th>
            <th scope="col">eager ms</th>
            <th scope="col">compile ms</th>
            <th scope="col">vs eager</th>
            <th scope="col">vs compile</th>
            <th scope="col">timing</th>
          </tr>
        </thead>
        <tbody>
          {report.rows.map((row) => (
            <tr key={row.taskPath}>
              <th scope="row">
                {row.runId ? (
                  <button type="button" className="link" onClick={() => void openRun(row.runId as string)}>
                    {row.taskName}
                  </button>
                ) : (
                  row.taskName
                )}
              </th>
              <td>
                <span className={`badge status-${row.runStatus}`}>{row.runStatus}</span>
                {row.error ? (
                  <div className="row-error" role="note">
                    {row.error}
                  </div>
                ) : null}
              </td>
              <td>{row.correct ? 'yes' : 'no'}</td>
              <td className="num">{row.medianMs?.toFixed(4) ?? '—'}</td>
              <td className="num">{row.eagerMs?.toFixed(4) ?? '—'}</td>
              <td className="num">{row.compileMs?.toFixed(4) ?? '—'}</td>
              <td className="num">{formatSpeedup(row.speedupVsEager)}</td>
              <td className="num">{formatSpeedup(row.speedupVsCompile)}</td>
              <td className="small">
                <NoisyBadge noisy={row.noisy} />
                {row.baseline ? <span className="muted"> {row.baseline}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
