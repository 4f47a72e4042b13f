import { useEffect, useState, type FormEvent } from 'react'
import type { TaskDetail, TaskSummary } from '../../../agents/contract/index.ts'
import { CodeView } from '../components/CodeView.tsx'
import { Notice } from '../components/Notice.tsx'
import { useStudio } from '../store/index.ts'

export function TasksView() {
  const taskList = useStudio((state) => state.taskList)
  const loadTasks = useStudio((state) => state.loadTasks)
  useEffect(() => {
    if (taskList.state === 'idle') void loadTasks()
  }, [taskList.state, loadTasks])
  return (
    <section className="view split" aria-labelledby="tasks-title">
      <div className="pane list-pane">
        <header className="pane-header">
          <h1 id="tasks-title">Tasks</h1>
        </header>
        <OpenTaskForm />
        {taskList.state === 'error' ? <Notice tone="error" title="Could not list tasks" code={taskList.code}>{taskList.message}</Notice> : null}
        {taskList.state === 'ready' ? <TaskList tasks={taskList.value} /> : null}
        {taskList.state === 'loading' ? <p className="muted">Reading task files…</p> : null}
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

function OpenTaskForm() {
  const openTaskFile = useStudio((state) => state.openTaskFile)
  const [path, setPath] = useState('')
  const [error, setError] = useState<string | null>(null)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!path.trim()) return
    const message = await openTaskFile(path.trim())
    setError(message)
    if (!message) setPath('')
  }
  return (
    <form className="open-form" onSubmit={(event) => void submit(event)}>
      <label htmlFor="open-path" className="sr-only">Task file path</label>
      <input id="open-path" value={path} onChange={(event) => setPath(event.target.value)} placeholder="/path/to/task.py" spellCheck={false} />
      <button type="submit">Open</button>
      {error ? <Notice tone="error" title="Not opened">{error}</Notice> : null}
    </form>
  )
}

function TaskDetailPane() {
  const selected = useStudio((state) => state.selectedTaskId)
  const detail = useStudio((state) => (selected ? state.taskDetails[selected] : undefined))
  const theme = useStudio((state) => state.theme)
  if (!selected || !detail) return <p className="muted">Choose a task to see its source.</p>
  if (detail.state === 'error') return <Notice tone="error" title="Could not read the task" code={detail.code}>{detail.message}</Notice>
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
  return (
    <header className="task-header">
      <h2>{task.name}</h2>
      <p className="muted mono" title="file">{task.path}</p>
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
      {task.outline.problems.length > 0 ? (
        <Notice tone="warning" title="This file is not a complete KernelBench task">
          <ul>{task.outline.problems.map((problem) => <li key={problem}>{problem}</li>)}</ul>
        </Notice>
      ) : null}
    </header>
  )
}
