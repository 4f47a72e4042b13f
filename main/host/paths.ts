import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** Where the studio finds its shipped resources and keeps the user's data. */
export interface StudioPaths {
  /** The folder holding package.json and resources/. */
  appRoot: string
  resources: string
  sampleTasks: string
  harness: string
  /** Settings, runs and caches; AKG_STUDIO_HOME moves it (tests use a temporary folder). */
  dataDir: string
}

export function resolvePaths(appRoot: string, dataDir?: string): StudioPaths {
  const root = resolve(appRoot)
  const resources = join(root, 'resources')
  return {
    appRoot: root,
    resources,
    sampleTasks: join(resources, 'tasks'),
    harness: join(resources, 'harness'),
    dataDir: resolve(dataDir ?? process.env.AKG_STUDIO_HOME ?? join(homedir(), '.akg-studio')),
  }
}
