import { join } from 'node:path'
import type { HostBasics } from '../services.ts'
import type { TaskLibrary } from '../tasks/task-library.ts'
import type { Runner } from '../../../agents/ports/runner.ts'
import { TunerService } from './tuner-service.ts'

export { TunerService } from './tuner-service.ts'
export { loadPresetFile, loadPresets } from './presets.ts'

/** The host's tuner: shipped presets, then the user's under <data>/tuner/presets, over the host runner. */
/** What the host's tuner is built from: the runner it evaluates on and the task library it resolves tasks in. */
export type TunerDependencies = Pick<HostBasics, 'paths' | 'events'> & {
  runner: Runner
  tasks: Pick<TaskLibrary, 'list' | 'read'>
}

export function createHostTuner(host: TunerDependencies): TunerService {
  return new TunerService({
    runner: host.runner,
    presetFolders: [join(host.paths.resources, 'tuner', 'presets'), join(host.paths.dataDir, 'tuner', 'presets')],
    dataDir: join(host.paths.dataDir, 'tuner'),
    resolveTask: async (reference) => {
      // Ids carry their source ("sample:level1/19_ReLU.py") and may contain slashes, so ask the library first.
      const known = (await host.tasks.list()).find((task) => task.id === reference || task.name === reference)
      const task = await host.tasks.read(known ? { id: known.id } : { path: reference })
      return { path: task.path, name: task.name }
    },
    emit: {
      start: (session) => host.events.emit('tune-start', session),
      progress: (payload) => host.events.emit('tune-progress', payload),
      end: (session) => host.events.emit('tune-end', session),
    },
  })
}
