import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

let cached: string | null = null

export async function readPackageVersion(appRoot: string): Promise<string> {
  if (cached) return cached
  const text = await readFile(join(appRoot, 'package.json'), 'utf8')
  cached = (JSON.parse(text) as { version: string }).version
  return cached
}
