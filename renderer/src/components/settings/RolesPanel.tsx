import { useEffect, useState } from 'react'
import { useStudio } from '../../store/index.ts'
import { Notice } from '../Notice.tsx'
import { ModelFields } from '../RunOptions.tsx'

/** The model each agent role uses unless a run says otherwise. */
export function RolesPanel() {
  const roleModels = useStudio((state) => state.roleModels)
  const choices = useStudio((state) => state.modelChoices)
  const saveRoles = useStudio((state) => state.saveRoles)
  const [models, setModels] = useState(roleModels)
  const [message, setMessage] = useState<{ tone: 'error' | 'info'; text: string; code?: string } | null>(null)
  useEffect(() => setModels(roleModels), [roleModels])
  return (
    <section className="settings-section" aria-labelledby="roles-title">
      <h2 id="roles-title">Model per agent role</h2>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault()
          void saveRoles(models).then((error) =>
            setMessage(error ? { tone: 'error', text: error.message, code: error.code } : { tone: 'info', text: 'Saved.' }),
          )
        }}
      >
        <fieldset>
          <legend>Designer, Coder, Fixer, Conductor</legend>
          <ModelFields models={models} choices={choices} onChange={setModels} idPrefix="settings" />
          <div className="form-actions">
            <button type="submit">Save roles</button>
          </div>
          {message ? <Notice tone={message.tone} title={message.text} code={message.code} /> : null}
        </fieldset>
      </form>
    </section>
  )
}
