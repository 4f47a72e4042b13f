import { useEffect, useState } from 'react'
import type { Dsl } from '../../../../agents/contract/index.ts'
import { useStudio } from '../../store/index.ts'
import { Notice } from '../Notice.tsx'
import { dslNames } from '../../../../agents/contract/registry.ts'

/** Starts a tuning session: a task, the candidate file whose akg:tune declarations form the space, where, and how. */
export function TuneForm() {
  const taskList = useStudio((state) => state.taskList)
  const loadTasks = useStudio((state) => state.loadTasks)
  const presets = useStudio((state) => state.tunePresets)
  const loadPresets = useStudio((state) => state.loadTunePresets)
  const startTune = useStudio((state) => state.startTune)
  const [task, setTask] = useState('')
  const [candidate, setCandidate] = useState('')
  const [dsl, setDsl] = useState<Dsl | ''>('')
  const [device, setDevice] = useState('cpu')
  const [strategy, setStrategy] = useState('')
  const [evaluations, setEvaluations] = useState('')
  const [minutes, setMinutes] = useState('')
  const [error, setError] = useState<{ code: string; message: string } | null>(null)
  useEffect(() => {
    if (taskList.state === 'idle') void loadTasks()
    if (presets.state === 'idle') void loadPresets()
  }, [taskList.state, loadTasks, presets.state, loadPresets])
  const tasks = taskList.state === 'ready' ? taskList.value : []
  const start = async () => {
    setError(null)
    const budget = { ...(evaluations ? { evaluations: Number(evaluations) } : {}), ...(minutes ? { minutes: Number(minutes) } : {}) }
    const problem = await startTune({
      task: task || tasks[0]?.id || '',
      candidate,
      device,
      ...(dsl ? { dsl } : {}),
      ...(strategy ? { strategy } : {}),
      ...(Object.keys(budget).length > 0 ? { budget } : {}),
    })
    setError(problem)
  }
  return (
    <div className="form-grid">
      <fieldset>
        <legend>What to tune</legend>
        <div className="field-row">
          <label htmlFor="tune-task">Task</label>
          <select id="tune-task" value={task} onChange={(event) => setTask(event.target.value)}>
            {tasks.map((item) => (
              <option key={item.id} value={item.id}>
                {item.level !== null ? `L${item.level} ` : ''}
                {item.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field-row">
          <label htmlFor="tune-candidate">Candidate file (declares its tunables with akg:tune)</label>
          <input
            id="tune-candidate"
            className="mono"
            value={candidate}
            placeholder="/path/to/candidate.py"
            onChange={(event) => setCandidate(event.target.value)}
          />
        </div>
      </fieldset>
      <fieldset>
        <legend>Where and how</legend>
        <div className="budget-grid">
          <label>
            DSL{' '}
            <select value={dsl} onChange={(event) => setDsl(event.target.value as Dsl | '')}>
              <option value="">from the source</option>
              {dslNames.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
          <label>
            Device <input value={device} onChange={(event) => setDevice(event.target.value)} aria-label="Device" />
          </label>
          <label>
            Strategy{' '}
            <select value={strategy} onChange={(event) => setStrategy(event.target.value)} aria-label="Strategy">
              <option value="">the scenario's preset</option>
              {presets.state === 'ready'
                ? presets.value.presets.map((preset) => (
                    <option key={preset.name} value={preset.name}>
                      {preset.name} ({preset.strategy})
                    </option>
                  ))
                : null}
            </select>
          </label>
          <label>
            Evaluations <input type="number" min={1} value={evaluations} placeholder="preset" onChange={(event) => setEvaluations(event.target.value)} />
          </label>
          <label>
            Minutes <input type="number" min={0.1} step={0.5} value={minutes} placeholder="preset" onChange={(event) => setMinutes(event.target.value)} />
          </label>
        </div>
      </fieldset>
      {presets.state === 'ready' && presets.value.problems.length > 0 ? (
        <Notice tone="warning" title="Some preset files were not loaded">
          <ul>
            {presets.value.problems.map((problem) => (
              <li key={problem.file} className="mono small">
                {problem.message}
              </li>
            ))}
          </ul>
        </Notice>
      ) : null}
      {error ? (
        <Notice tone="error" title="Tuning did not start" code={error.code}>
          {error.message}
        </Notice>
      ) : null}
      <div className="form-actions">
        <button type="button" className="primary" disabled={!candidate.trim()} onClick={() => void start()}>
          Start tuning
        </button>
      </div>
    </div>
  )
}
