import type { RunSummary } from '../../../agents/contract/index.ts'
import type { Host } from '../host.ts'

/**
 * A candidate's code as the user edited it, verified as a fork of that candidate: the new run's
 * first candidate is the edited code, and it goes through the checker and the harness like any
 * model's answer (the user's code is no more trusted than a model's). The single workflow stops
 * there when it is correct; otherwise the run's models fix it as they would a model's answer.
 */
export async function verifyEdited(host: Host, input: { runId: string; candidateId: string; code: string }): Promise<RunSummary> {
  const { spec } = await host.runs.get(input.runId)
  return host.runs.start(
    {
      title: `${spec.title} · ${input.candidateId} edited`,
      taskPath: spec.taskPath,
      dsl: spec.dsl,
      device: spec.device,
      workflow: 'single',
      models: spec.models,
      budget: { ...spec.budget, candidates: Math.min(spec.budget.candidates, 4) },
      search: spec.search,
    },
    { runId: input.runId, candidateId: input.candidateId },
    input.code,
  )
}
