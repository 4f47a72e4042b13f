import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react'
import type { AgentRole, Dsl, RunBudget, SearchOptions, Workflow } from '../../../agents/contract/index.ts'
import { Notice } from '../components/Notice.tsx'
import { BudgetFields, cleanModels, ModelFields, TargetFields, WORKFLOW_HINTS } from '../components/RunOptions.tsx'
import { defaultTarget, localDevices } from '../lib/devices.ts'
import { defaultBudget as DEFAULT_BUDGET, defaultSearch as DEFAULT_SEARCH } from '../../../agents/contract/registry.ts'
import { PathField } from '../components/workbench/PathField.tsx'
import { useForm } from '../lib/use-form.ts'
import { useStudio } from '../store/index.ts'

type RunWorkflow = Exclude<Workflow, 'migrate'>

/** Starts a run: task, DSL, device or host, workflow, a model per role, budget. */
export function NewRunView() {
  const taskList = useStudio((state) => state.taskList)
  const loadTasks = useStudio((state) => state.loadTasks)
  const selectedTaskId = useStudio((state) => state.selectedTaskId)
  const toolchain = useStudio((state) => state.toolchain)
  const roleModels = useStudio((state) => state.roleModels)
  const modelChoices = useStudio((state) => state.modelChoices)
  const startRun = useStudio((state) => state.startRun)
  const report = toolchain.state === 'ready' ? toolchain.value : undefined
  const devices = useMemo(() => localDevices(report), [report])
  // Remembered across views. The task chosen in Tasks is offered once; a field the user empties stays empty.
  const [remembered, setRemembered] = useForm<{ taskPath: string; offered: string | null }>('new-run', { taskPath: '', offered: null })
  const taskPath = remembered.taskPath
  // What the user types or browses to is never overwritten by a task list that arrives later.
  const typed = useRef(false)
  const setTaskPath = (value: string) => {
    typed.current = true
    setRemembered((current) => ({ ...current, taskPath: value }))
  }
  const offered = useRef(remembered.offered)
  const [target, setTarget] = useState<{ dsl: Dsl; device: string } | null>(null)
  const [workflow, setWorkflow] = useState<RunWorkflow>('single')
  const [models, setModels] = useState<Partial<Record<AgentRole, string>>>(roleModels)
  // Settings' roles arrive after the first render; take them unless the user has typed models already.
  useEffect(() => setModels((current) => (Object.values(current).some(Boolean) ? current : roleModels)), [roleModels])
  const [budget, setBudget] = useState<RunBudget>(DEFAULT_BUDGET)
  const [search, setSearch] = useState<SearchOptions>(DEFAULT_SEARCH)
  const [record, setRecord] = useState(false)
  const [error, setError] = useState<{ message: string; code: string } | null>(null)
  const [starting, setStarting] = useState(false)
  const chosen = target ?? defaultTarget(devices)

  useEffect(() => {
    if (taskList.state === 'idle') void loadTasks()
  }, [taskList.state, loadTasks])
  useEffect(() => {
    if (taskList.state !== 'ready') return
    const task = taskList.value.find((item) => item.id === selectedTaskId) ?? taskList.value[0]
    if (!task || offered.current === task.id) return
    offered.current = task.id
    if (typed.current) setRemembered((current) => ({ ...current, offered: task.id }))
    else setRemembered({ taskPath: task.path, offered: task.id })
  }, [taskList, selectedTaskId, setRemembered])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setStarting(true)
    setError(null)
    const cleaned = cleanModels(models)
    const result = await startRun({
      taskPath,
      dsl: chosen.dsl,
      device: chosen.device,
      workflow,
      models: cleaned,
      budget,
      ...(record ? { record: true } : {}),
      ...(workflow === 'evolve' || workflow === 'adaptive' ? { search } : {}),
    })
    setStarting(false)
    if ('error' in result) setError(result.error)
  }

  return (
    <section className="view" aria-labelledby="new-run-title">
      <header className="pane-header">
        <h1 id="new-run-title">New run</h1>
      </header>
      <form className="form-grid" onSubmit={(event) => void submit(event)}>
        <fieldset>
          <legend>Task</legend>
          <label htmlFor="run-task">Task file</label>
          <PathField id="run-task" list="run-tasks" value={taskPath} onChange={setTaskPath} extensions={['.py']} required describedBy="run-task-hint" />
          <p id="run-task-hint" className="muted small">
            A KernelBench-format .py file: pick a sample from the list, or browse.
          </p>
          <datalist id="run-tasks">
            {taskList.state === 'ready'
              ? taskList.value.map((task) => (
                  <option key={task.id} value={task.path}>
                    {task.name}
                  </option>
                ))
              : null}
          </datalist>
        </fieldset>
        <fieldset>
          <legend>Target</legend>
          <TargetFields dsl={chosen.dsl} device={chosen.device} devices={devices} onChange={setTarget} idPrefix="run" />
        </fieldset>
        <fieldset>
          <legend>Workflow</legend>
          {(Object.keys(WORKFLOW_HINTS) as RunWorkflow[]).map((value) => (
            <label key={value} className="radio-row">
              <input type="radio" name="workflow" value={value} checked={workflow === value} onChange={() => setWorkflow(value)} />
              <span>
                <strong>{value}</strong> <span className="muted">{WORKFLOW_HINTS[value]}</span>
              </span>
            </label>
          ))}
          {workflow === 'evolve' || workflow === 'adaptive' ? <SearchFields search={search} onChange={setSearch} /> : null}
        </fieldset>
        <fieldset>
          <legend>Models</legend>
          <ModelFields models={models} choices={modelChoices} onChange={setModels} idPrefix="run" />
          <label className="radio-row">
            <input type="checkbox" checked={record} onChange={(event) => setRecord(event.target.checked)} />
            <span>
              <strong>Record the model session</strong>{' '}
              <span className="muted">
                every model call goes into cassette.json in the run's folder, replayable with the replay provider or akg run --replay
              </span>
            </span>
          </label>
        </fieldset>
        <fieldset>
          <legend>Budget (whichever is reached first ends the run)</legend>
          <BudgetFields budget={budget} onChange={setBudget} idPrefix="run" />
        </fieldset>
        {error ? (
          <Notice tone="error" title="The run did not start" code={error.code}>
            {error.message}
          </Notice>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={starting || !taskPath}>
            {starting ? 'Starting…' : 'Start run'}
          </button>
        </div>
      </form>
    </section>
  )
}

function SearchFields({ search, onChange }: { search: SearchOptions; onChange: (next: SearchOptions) => void }) {
  const fields: Array<{ key: keyof SearchOptions; label: string; step: number | 'any' }> = [
    { key: 'islands', label: 'Islands', step: 1 },
    { key: 'population', label: 'Population', step: 1 },
    { key: 'migrationInterval', label: 'Migrate every (generations)', step: 1 },
    { key: 'concurrency', label: 'In flight at once', step: 1 },
    { key: 'ucbC', label: 'UCB exploration c', step: 'any' },
  ]
  return (
    <div className="budget-grid">
      {fields.map((field) => (
        <div key={field.key} className="field-row">
          <label htmlFor={`search-${field.key}`}>{field.label}</label>
          <input
            id={`search-${field.key}`}
            type="number"
            min={field.key === 'ucbC' ? 0 : 1}
            step={field.step}
            value={search[field.key]}
            onChange={(event) => onChange({ ...search, [field.key]: Number(event.target.value) })}
          />
        </div>
      ))}
    </div>
  )
}
