import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError } from '../../../agents/contract/index.ts'
import type { Host } from '../host.ts'
import { runsRoot } from '../runs/run-files.ts'

/** Deletes a run's folder (spec, log, artifacts); a run still going is refused, so no writer loses its folder. */
export async function deleteRun(host: Host, runId: string): Promise<{ runId: string; deleted: boolean }> {
  if (!/^[\w.-]+$/.test(runId) || runId.startsWith('.')) throw new AppError('NOT_FOUND', `There is no run ${JSON.stringify(runId)}.`)
  const summary = await host.runs.summary(runId)
  if (summary.status === 'running') throw new AppError('RUN_ACTIVE', `Run ${runId} is still running: cancel it first, then delete it.`)
  await rm(join(runsRoot(host.paths.dataDir), runId), { recursive: true, force: true })
  return { runId, deleted: true }
}
