import { useEffect, useState } from 'react'
import { useStudio } from '../../store/index.ts'
import { Notice } from '../Notice.tsx'

/** The Python environments found on this machine; the selected one runs the harness. */
export function EnvironmentList() {
  const environments = useStudio((state) => state.environments)
  const error = useStudio((state) => state.environmentError)
  const load = useStudio((state) => state.loadEnvironments)
  const select = useStudio((state) => state.selectEnvironment)
  const add = useStudio((state) => state.addEnvironment)
  const [path, setPath] = useState('')
  useEffect(() => void load(), [load])
  const list = environments.state === 'ready' ? environments.value : environments.state === 'loading' ? environments.previous : undefined
  return (
    <div data-testid="environments">
      <table className="env-table">
        <caption>Python environments on this machine</caption>
        <thead>
          <tr>
            <th scope="col">Interpreter</th>
            <th scope="col">Found in</th>
            <th scope="col" aria-label="Choice" />
          </tr>
        </thead>
        <tbody>
          {list?.environments.map((environment) => (
            <tr key={environment.python}>
              <td className="mono wrap">{environment.python}</td>
              <td>{environment.source}</td>
              <td>
                {environment.selected ? (
                  <span className="badge ok">selected</span>
                ) : (
                  <button type="button" disabled={environments.state === 'loading'} onClick={() => void select(environment.python)}>
                    Use
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="env-add"
        onSubmit={(event) => {
          event.preventDefault()
          if (path.trim()) void add(path.trim()).then(() => setPath(''))
        }}
      >
        <input aria-label="Python interpreter path" placeholder="/path/to/env/bin/python" value={path} onChange={(event) => setPath(event.target.value)} />
        <button type="submit">Add</button>
      </form>
      {error ? (
        <Notice tone="error" title="Environment" code={error.code}>
          {error.message}
        </Notice>
      ) : null}
      {environments.state === 'error' ? (
        <Notice tone="error" title="Environments" code={environments.code}>
          {environments.message}
        </Notice>
      ) : null}
    </div>
  )
}
