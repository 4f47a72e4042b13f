import { readFile } from 'node:fs/promises'
import { AppError } from '../../../agents/contract/index.ts'
import type { TuneHook } from '../../../agents/run/context.ts'
import type { TunerService } from '../tuner/tuner-service.ts'

/** Evaluations the optimize workflow gives one tuning search: enough for a small declared space, bounded so a run's budget goes mostly to rewrites. */
export const tuneEvaluationsPerCandidate = 16

/** The optimize workflow's tune hook, over the host's tuner service (agents/tuner through main/host/tuner). */
export function hostTuneHook(host: { tuner: Pick<TunerService, 'start' | 'cancel' | 'wait'> }): TuneHook {
  return async (request) => {
    let session
    try {
      session = await host.tuner.start({
        task: request.taskPath,
        candidate: request.codePath,
        dsl: request.dsl,
        device: request.device,
        budget: { evaluations: tuneEvaluationsPerCandidate },
      })
    } catch (error) {
      if (error instanceof AppError && (error.code === 'TUNER_NO_TUNABLES' || error.code === 'TUNER_DECLARATION')) return null
      throw error
    }
    const cancel = () => void host.tuner.cancel(session.id).catch(() => undefined)
    request.signal.addEventListener('abort', cancel, { once: true })
    try {
      const done = await host.tuner.wait(session.id)
      if (!done.best || !done.bestCandidatePath) return null
      return {
        code: await readFile(done.bestCandidatePath, 'utf8'),
        params: done.best.params,
        detail: `${done.progress.evaluated} configurations evaluated (preset ${done.strategy.preset}); best ${done.best.latencyMs?.toFixed(4) ?? '?'} ms`,
      }
    } finally {
      request.signal.removeEventListener('abort', cancel)
    }
  }
}
