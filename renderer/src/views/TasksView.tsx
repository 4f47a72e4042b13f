import { useEffect, useState, type FormEvent } from 'react'
import type { TaskDetail, TaskFolder, TaskSummary } from '../../../agents/contract/index.ts'
import { formatSpeedup } from '../components/run/SpeedupChart.tsx'
import { CodeView } from '../components/CodeView.tsx'
import { Notice } from '../components/Notice.tsx'
import { writeForm } from '../lib/use-form.ts'
import { useStudio } from '../store/index.ts'
import { NoisyBadge } from '../components/NoisyBadge.tsx'
import { RunStatusBadge, RunTitleCell } from '../components/run/RunCells.tsx'

export function TasksView() {
  const taskList = useStudio((state) => state.taskList)
  const loadTasks = useStudio((state) => state.loadTasks)
  const taskFolders = useStudio((state) => state.taskFolders)
  const loadFolders = useStudio((state) => state.loadFolders)
  useEffect(() => {
    if (taskList.state === 'idle') void loadTasks()
    if (taskFolders.state === 'idle') void loadFolders()
  }, [taskList.state, loadTasks, taskFolders.state, loadFolders])
  return (
    <section className="view split" aria-labelledby="tasks-title">
      <div className="pane list-pane">
        <header className="pane-header">
          <h1 id="tasks-title">Tasks</h1>
        </header>
        <OpenTaskForm />
        {taskList.state === 'error' ? (
          <Notice tone="error" title="Could not list tasks" code={taskList.code}>
            {taskList.message}
          </Notice>
        ) : null}
        {taskList.state === 'ready' ? <TaskList tasks={taskList.value} /> : null}
        {taskList.state === 'loading' ? <p className="muted">Reading task files…</p> : null}
        {taskFolders.state === 'ready' ? taskFolders.value.map((folder) => <FolderTasks key={folder.path} folder={folder} />) : null}
      </div>
      <div className="pane detail-pane">
        <TaskDetailPane />
      </div>
    </section>
  )
}

function TaskList({ tasks }: { tasks: TaskSummary[] }) {
  const selected = useStudio((state) => state.selectedTaskId)
  const selectTask = useStudio((state) => state.selectTask)
  if (tasks.length === 0) return <p className="muted">No tasks yet. Open a KernelBench-format .py file above.</p>
  const groups = new Map<string, TaskSummary[]>()
  for (const task of tasks) {
    const key = task.source === 'opened' ? 'Opened files' : task.level !== null ? `Level ${task.level}` : 'Samples'
    groups.set(key, [...(groups.get(key) ?? []), task])
  }
  return (
    <div className="task-list" data-testid="task-list">
      {[...groups].map(([group, items]) => (
        <div key={group}>
          <h2 className="group-title">{group}</h2>
          <ul role="listbox" aria-label={group}>
            {items.map((task) => (
              <li key={task.id}>
                <button
                  type="button"
                  role="option"
                  aria-selected={task.id === selected}
                  className={task.id === selected ? 'task-item active' : 'task-item'}
                  onClick={() => void selectTask(task.id)}
                  title={task.path}
                >
                  <span className="task-name">{task.name.replace(/_/g, ' ').trim()}</span>
                  <span className="task-meta">{(task.sizeBytes / 1024).toFixed(1)} KiB</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  )
}

/** A KernelBench checkout, one collapsible group per level (a level holds about a hundred problems). */
function FolderTasks({ folder }: { folder: TaskFolder }) {
  const selected = useStudio((state) => state.selectedTaskId)
  const selectTask = useStudio((state) => state.selectTask)
  const name = folder.path.split(/[\\/]/).filter(Boolean).pop() ?? folder.path
  return (
    <div className="task-list" data-testid="task-folder">
      <h2 className="group-title" title={folder.path}>
        {name} · {folder.taskCount} tasks
      </h2>
      {folder.levels.map((group) => (
        <details key={group.level ?? 'tasks'} className="level-group" open={folder.levels.length === 1}>
          <summary>
            {group.level !== null ? `Level ${group.level}` : 'Tasks'} <span className="muted small">({group.tasks.length})</span>
          </summary>
          <ul role="listbox" aria-label={`${name} level ${group.level ?? ''}`}>
            {group.tasks.map((task) => (
              <li key={task.id}>
                <button
                  type="button"
                  role="option"
                  aria-selected={task.id === selected}
                  className={task.id === selected ? 'task-item active' : 'task-item'}
                  onClick={() => void selectTask(task.id)}
                  title={task.path}
                >
                  <span className="task-name">{task.name.replace(/_/g, ' ').trim()}</span>
                </button>
              </li>
            ))}
          </ul>
        </details>
      ))}
    </div>
  )
}

function OpenTaskForm() {
  const openTaskFile = useStudio((state) => state.openTaskFile)
  const openTaskFolder = useStudio((state) => state.openTaskFolder)
  const [path, setPath] = useState('')
  const [error, setError] = useState<string | null>(null)
  const submit = async (event: FormEvent, as: 'file' | 'folder') => {
    event.preventDefault()
    if (!path.trim()) return
    const message = as === 'file' ? await openTaskFile(path.trim()) : await openTaskFolder(path.trim())
    setError(message)
    if (!message) setPath('')
  }
  return (
    <form className="open-form" onSubmit={(event) => void submit(event, path.trim().endsWith('.py') ? 'file' : 'folder')}>
      <label htmlFor="open-path" className="sr-only">
        Task file or KernelBench folder path
      </label>
      <input
        id="open-path"
        value={path}
        onChange={(event) => setPath(event.target.value)}
        placeholder="/path/to/task.py or a KernelBench checkout"
        spellCheck={false}
      />
      <button type="button" onClick={(event) => void submit(event, 'file')}>
        Open file
      </button>
      <button type="button" onClick={(event) => void submit(event, 'folder')}>
        Open folder
      </button>
      {error ? (
        <Notice tone="error" title="Not opened">
          {error}
        </Notice>
      ) : null}
    </form>
  )
}

/** Baseline times measured by earlier runs of this task, as each run's best candidate measured them; a noisy one is marked. */
function MeasuredBaselines({ path }: { path: string }) {
  const runList = useStudio((state) => state.runList)
  const loadRuns = useStudio((state) => state.loadRuns)
  useEffect(() => {
    if (runList.state === 'idle') void loadRuns()
  }, [runList.state, loadRuns])
  const runs = runList.state === 'ready' ? runList.value.filter((run) => run.taskPath === path && run.best?.medianMs != null) : []
  if (runs.length === 0)
    return (
      <p className="muted small" data-testid="baselines">
        No baseline times yet: the first run on this task times eager and torch.compile on its device.
      </p>
    )
  return (
    <table className="data-table compact" data-testid="baselines">
      <caption>Measured by earlier runs</caption>
      <thead>
        <tr>
          <th scope="col">device</th>
          <th scope="col">eager ms</th>
          <th scope="col">torch.compile ms</th>
          <th scope="col">best candidate ms</th>
          <th scope="col">best vs eager</th>
          <th scope="col">timing</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => {
          const best = run.best as NonNullable<typeof run.best>
          const median = best.medianMs as number
          return (
            <tr key={run.id}>
              <td>{run.device}</td>
              <td className="num">{best.eagerMs?.toFixed(4) ?? '—'}</td>
              <td className="num">{best.compileMs?.toFixed(4) ?? '—'}</td>
              <td className="num">{median.toFixed(4)}</td>
              <td className="num">{formatSpeedup(best.speedupVsEager)}</td>
              <td>{best.noisy ? <NoisyBadge noisy /> : <span className="muted small">quiet</span>}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

/** Every run of this task, newest first, each one click away. */
function TaskRuns({ path }: { path: string }) {
  const runList = useStudio((state) => state.runList)
  const openRun = useStudio((state) => state.openRun)
  const runs = runList.state === 'ready' ? runList.value.filter((run) => run.taskPath === path) : []
  if (runs.length === 0)
    return (
      <p className="muted small" data-testid="task-runs">
        No runs of this task yet.
      </p>
    )
  return (
    <table className="data-table compact" data-testid="task-runs">
      <caption>Runs of this task ({runs.length})</caption>
      <thead>
        <tr>
          <th scope="col">run</th>
          <th scope="col">status</th>
          <th scope="col">DSL · device</th>
          <th scope="col">candidates (correct)</th>
          <th scope="col">best vs eager</th>
          <th scope="col">started</th>
        </tr>
      </thead>
      <tbody>
        {[...runs]
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
          .map((run) => (
            <tr key={run.id}>
              <RunTitleCell run={run} onOpen={(id) => void openRun(id)} />
              <td>
                <RunStatusBadge run={run} />
              </td>
              <td>
                {run.dsl} · {run.device}
              </td>
              <td className="num">
                {run.candidates} ({run.correctCandidates})
              </td>
              <td className="num">
                {formatSpeedup(run.best?.speedupVsEager)} <NoisyBadge noisy={run.best?.noisy} />
              </td>
              <td className="muted small">{new Date(run.createdAt).toLocaleString()}</td>
            </tr>
          ))}
      </tbody>
    </table>
  )
}

function TaskDetailPane() {
  const selected = useStudio((state) => state.selectedTaskId)
  const detail = useStudio((state) => (selected ? state.taskDetails[selected] : undefined))
  const theme = useStudio((state) => state.theme)
  if (!selected || !detail) return <p className="muted">Choose a task to see its source.</p>
  if (detail.state === 'error')
    return (
      <Notice tone="error" title="Could not read the task" code={detail.code}>
        {detail.message}
      </Notice>
    )
  if (detail.state !== 'ready') return <p className="muted">Loading…</p>
  return (
    <>
      <TaskHeader task={detail.value} />
      <CodeView value={detail.value.content} theme={theme} label={`Source of ${detail.value.name}`} />
    </>
  )
}

function TaskHeader({ task }: { task: TaskDetail }) {
  const constants = Object.entries(task.outline.constants)
  const setView = useStudio((state) => state.setView)
  const runThisTask = () => {
    // New run opens with this task in its field (a task emptied there earlier is filled again).
    writeForm('new-run', { taskPath: task.path, offered: task.id })
    setView('new-run')
  }
  return (
    <header className="task-header">
      <div className="task-title-row">
        <h2>{task.name}</h2>
        <button type="button" className="primary" onClick={runThisTask}>
          Run this task
        </button>
      </div>
      <p className="muted mono" title="file">
        {task.path}
      </p>
      {task.outline.summary ? <p>{task.outline.summary}</p> : null}
      {constants.length > 0 ? (
        <dl className="constants" aria-label="Shape constants">
          {constants.map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <MeasuredBaselines path={task.path} />
      <TaskRuns path={task.path} />
      {task.outline.problems.length > 0 ? (
        <Notice tone="warning" title="This file is not a complete KernelBench task">
          <ul>
            {task.outline.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
    </header>
  )
}
