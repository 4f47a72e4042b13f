import { join } from 'node:path'
import type { SampleStart } from '../../../agents/contract/index.ts'
import type { Host } from '../host.ts'

/** The replay provider the first-run screen saves; a user can remove it in Settings like any other. */
export const SAMPLE_PROVIDER = 'samples'
/** The cassettes' own model label (resources/cassettes/*.json record it). */
const SAMPLE_MODEL = 'hand-written-replay'

/**
 * Starts a run of a sample task from its shipped cassette. On a CUDA machine Triton's softmax
 * (compiled and timed on the GPU); elsewhere the C++ ReLU, which the CPU compiles and times for
 * real. Triton on the CPU is only checked through its interpreter and never timed, so it is not
 * the first thing a newcomer should see.
 */
export async function startSampleRun(host: Host): Promise<SampleStart> {
  await host.providers.save({ name: SAMPLE_PROVIDER, kind: 'replay', cassettePath: join(host.paths.resources, 'cassettes'), defaultModel: SAMPLE_MODEL })
  const report = await host.detectToolchain().catch(() => null)
  const gpu = report?.devices?.find((device) => device.kind === 'cuda')
  const pick = gpu
    ? {
        task: 'level1/23_Softmax.py',
        dsl: 'triton' as const,
        device: `cuda:${gpu.index}`,
        reason: `${gpu.name} is visible to torch, so the Triton softmax is compiled and timed on it`,
      }
    : {
        task: 'level1/19_ReLU.py',
        dsl: 'cpp' as const,
        device: 'cpu',
        reason: 'no GPU is visible to torch here, so the C++ ReLU is compiled and timed on the CPU',
      }
  const model = `${SAMPLE_PROVIDER}:${SAMPLE_MODEL}`
  const run = await host.runs.start({
    title: `${pick.task.split('/').pop()?.replace(/\.py$/, '')} · ${pick.dsl} · sample replay`,
    taskPath: join(host.paths.sampleTasks, pick.task),
    dsl: pick.dsl,
    device: pick.device,
    workflow: 'single',
    models: { designer: model, coder: model, fixer: model },
  })
  return { provider: SAMPLE_PROVIDER, run, reason: pick.reason }
}
