import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** The folder with package.json and resources/, found upwards from a starting folder. */
export function findAppRoot(start: string): string {
  let folder = resolve(start)
  for (;;) {
    if (existsSync(join(folder, 'package.json')) && existsSync(join(folder, 'resources'))) return folder
    const parent = dirname(folder)
    if (parent === folder) throw new Error(`AKG Studio's resources folder was not found above ${start}.`)
    folder = parent
  }
}
