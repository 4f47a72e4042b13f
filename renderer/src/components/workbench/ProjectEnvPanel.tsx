import { useEffect } from 'react'
import { useStudio } from '../../store/index.ts'
import { Notice } from '../Notice.tsx'
import { ProgressLine } from './ProgressLine.tsx'

/** Typical time to create .venv with the CPU torch build on a broadband link; the CUDA builds take longer. */
const TYPICAL_CPU_MS = 3 * 60_000
const TYPICAL_CUDA_MS = 10 * 60_000

/**
 * Whether the selected environment has torch, and if not, the offer to create the project's own
 * (.venv) with the torch build that fits this machine. Nothing is installed into another interpreter.
 */
export function ProjectEnvPanel() {
  const toolchain = useStudio((state) => state.toolchain)
  const plan = useStudio((state) => state.venvPlan)
  const progress = useStudio((state) => state.venvProgress)
  const loadPlan = useStudio((state) => state.loadVenvPlan)
  const createVenv = useStudio((state) => state.createVenv)
  const report = toolchain.state === 'ready' ? toolchain.value : undefined
  const torch = report?.packages.find((tool) => tool.name === 'torch')
  const missing = report !== undefined && !torch?.found
  useEffect(() => {
    if (missing && plan.state === 'idle') void loadPlan()
  }, [missing, plan.state, loadPlan])
  if (!report)
    return (
      <p className="muted" data-testid="env-status">
        Looking for a Python environment with torch…
      </p>
    )
  if (!missing && !progress?.running) {
    return (
      <p data-testid="env-status">
        <span className="badge ok">ready</span> torch {torch?.version} in <span className="mono">{report.python.path}</span>
      </p>
    )
  }
  const value = plan.state === 'ready' ? plan.value : null
  return (
    <div className="env-panel" data-testid="env-panel">
      <p>
        <span className="badge bad">no torch</span> The selected Python (<span className="mono">{report.python.path ?? 'python3'}</span>) cannot import torch,
        so no kernel can be verified yet.
      </p>
      {value ? (
        <p className="small">
          Create the project&apos;s own environment in <span className="mono">{value.venv}</span> with <strong>{value.torch}</strong> ({value.tag} build:{' '}
          {value.reason}), triton, numpy and ninja. The system Python is not touched.
        </p>
      ) : plan.state === 'error' ? (
        <Notice tone="error" title="Could not plan the environment" code={plan.code}>
          {plan.message}
        </Notice>
      ) : (
        <p className="muted small">Checking which torch build fits this machine…</p>
      )}
      {value && !value.base ? (
        <Notice tone="error" title="No Python 3.10+ with venv">
          Install Python 3.10 or newer with its venv module (Debian: apt install python3-venv), then detect again.
        </Notice>
      ) : null}
      <button type="button" className="primary" disabled={!value?.base || progress?.running} onClick={() => void createVenv()}>
        {progress?.running ? 'Creating the environment…' : 'Create the project environment'}
      </button>
      {progress ? (
        <>
          <ProgressLine
            label="Creating the project environment"
            stage={progress.stage === 'error' ? 'failed' : progress.stage}
            startedAt={progress.startedAt}
            running={progress.running}
            step={progress.step}
            steps={progress.steps}
            typicalMs={value?.tag === 'cpu' ? TYPICAL_CPU_MS : TYPICAL_CUDA_MS}
          />
          <pre className="progress-log mono small" aria-label="Last line of the installer">
            {progress.line}
          </pre>
        </>
      ) : null}
      <p className="muted small">
        In a terminal the same is <span className="mono">node scripts/python-env.mjs create</span>; or choose an environment that has torch under Toolchains.
      </p>
    </div>
  )
}
