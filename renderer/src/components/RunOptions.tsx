import type { AgentRole, Dsl, RunBudget, Workflow } from '../../../agents/contract/index.ts'
import { DSL_LABELS, targetProblem } from '../lib/devices.ts'
import { useStudio } from '../store/index.ts'
import { agentRoles, dslNames } from '../../../agents/contract/registry.ts'

export const DSLS: readonly Dsl[] = dslNames
export const ROLES: readonly AgentRole[] = agentRoles

/** Target DSL and device; a device outside the list (an SSH host's, host:cuda:1) can be typed. */
export function TargetFields({
  dsl,
  device,
  devices,
  onChange,
  idPrefix,
}: {
  dsl: Dsl
  device: string
  devices: string[]
  onChange: (next: { dsl: Dsl; device: string }) => void
  idPrefix: string
}) {
  const problem = targetProblem(dsl, device)
  return (
    <>
      <label htmlFor={`${idPrefix}-dsl`}>DSL</label>
      <select id={`${idPrefix}-dsl`} value={dsl} onChange={(event) => onChange({ dsl: event.target.value as Dsl, device })}>
        {DSLS.map((value) => (
          <option key={value} value={value}>
            {DSL_LABELS[value]}
          </option>
        ))}
      </select>
      <label htmlFor={`${idPrefix}-device`}>Device or host</label>
      <input
        id={`${idPrefix}-device`}
        list={`${idPrefix}-devices`}
        value={device}
        onChange={(event) => onChange({ dsl, device: event.target.value })}
        spellCheck={false}
      />
      <datalist id={`${idPrefix}-devices`}>
        {devices.map((value) => (
          <option key={value} value={value} />
        ))}
      </datalist>
      {problem ? <p className="field-note">{problem}</p> : null}
    </>
  )
}

/** What a Conductor model changes, shown where it is chosen. */
export const CONDUCTOR_NOTE =
  'A model here chooses the next step (fix, optimize, tune, regenerate, stop) after each candidate of single, optimize and migrate runs, ' +
  'within the same budget and stop rules; an invalid answer falls back to the rule-based Conductor, which is used when this is empty. ' +
  'Evolve and adaptive runs keep their own selection.'

/** One `provider:model` per agent role; an empty role uses the coder's model (the Conductor's: the rules). */
export function ModelFields({
  models,
  choices,
  onChange,
  idPrefix,
}: {
  models: Partial<Record<AgentRole, string>>
  choices: string[]
  onChange: (next: Partial<Record<AgentRole, string>>) => void
  idPrefix: string
}) {
  // Each provider's own model list (Ollama's tags with sizes, /v1/models, Anthropic's list), from its last test.
  const listed = useStudio((state) => state.providerModels)
  const describe = (choice: string) => {
    const [provider = '', ...rest] = choice.split(':')
    const model = listed[provider]?.find((item) => item.name === rest.join(':'))
    const size = model?.sizeBytes ? `${(model.sizeBytes / 1e9).toFixed(1)} GB` : null
    return [size, model?.details].filter(Boolean).join(' · ') || provider
  }
  return (
    <>
      {ROLES.map((role) => (
        <div key={role} className="field-row">
          <label htmlFor={`${idPrefix}-model-${role}`}>{role === 'conductor' ? 'conductor model (optional)' : `${role} model`}</label>
          <input
            id={`${idPrefix}-model-${role}`}
            list={`${idPrefix}-models`}
            value={models[role] ?? ''}
            title={role === 'conductor' ? CONDUCTOR_NOTE : undefined}
            placeholder={
              role === 'coder'
                ? 'provider:model, e.g. ollama:qwen2.5-coder:14b'
                : role === 'conductor'
                  ? 'empty: the rule-based Conductor'
                  : 'same as the coder'
            }
            onChange={(event) => onChange({ ...models, [role]: event.target.value })}
            spellCheck={false}
          />
        </div>
      ))}
      <p className="field-note">{CONDUCTOR_NOTE}</p>
      <datalist id={`${idPrefix}-models`}>
        {choices.map((value) => (
          <option key={value} value={value} label={describe(value)} />
        ))}
      </datalist>
    </>
  )
}

export function BudgetFields({ budget, onChange, idPrefix }: { budget: RunBudget; onChange: (next: RunBudget) => void; idPrefix: string }) {
  // step="any" where a value need not be a multiple of anything: the browser refuses to submit otherwise.
  const fields: Array<{ key: keyof RunBudget; label: string; step: number | 'any'; min: number }> = [
    { key: 'steps', label: 'Steps', step: 1, min: 1 },
    { key: 'candidates', label: 'Candidates', step: 1, min: 1 },
    { key: 'tokens', label: 'Tokens', step: 'any', min: 1 },
    { key: 'minutes', label: 'Minutes', step: 'any', min: 0.05 },
  ]
  return (
    <div className="budget-grid">
      {fields.map((field) => (
        <div key={field.key} className="field-row">
          <label htmlFor={`${idPrefix}-budget-${field.key}`}>{field.label}</label>
          <input
            id={`${idPrefix}-budget-${field.key}`}
            type="number"
            min={field.min}
            step={field.step}
            value={budget[field.key]}
            onChange={(event) => onChange({ ...budget, [field.key]: Number(event.target.value) })}
          />
        </div>
      ))}
    </div>
  )
}

export const WORKFLOW_HINTS: Record<Exclude<Workflow, 'migrate'>, string> = {
  single: 'Design, code, verify; fix until correct or out of budget.',
  optimize: 'Then keep optimizing the correct kernel with profile data.',
  evolve: 'Islands of candidates evolve in parallel; elites migrate between islands.',
  adaptive: 'UCB picks which candidate to improve next from a shared pool.',
}

/** Drops empty model fields so the backend's "coder stands in" rule applies. */
export function cleanModels(models: Partial<Record<AgentRole, string>>): Partial<Record<AgentRole, string>> {
  return Object.fromEntries(
    Object.entries(models)
      .filter(([, value]) => value && value.trim() !== '')
      .map(([key, value]) => [key, (value as string).trim()]),
  )
}
