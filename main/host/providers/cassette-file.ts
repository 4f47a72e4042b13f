import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { parseCassette, type Cassette } from '../../../agents/providers/index.ts'
import { ProviderError } from '../../../agents/providers/index.ts'

/** Reads a cassette file, with an error that names the file and what is wrong with it. */
export async function loadCassette(path: string): Promise<Cassette> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new ProviderError(
      'PROVIDER_CONFIG',
      `Cannot read the cassette ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}): check the replay provider's cassette file in Settings.`,
    )
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ProviderError('PROVIDER_CONFIG', `The cassette ${path} is not JSON: record it again or fix the file.`)
  }
  try {
    return parseCassette(value, `The cassette ${path}`)
  } catch (error) {
    throw new ProviderError('PROVIDER_CONFIG', (error as Error).message)
  }
}

/** Writes a cassette atomically (temporary file, then rename), pretty-printed for review in a diff. */
export async function saveCassette(path: string, cassette: Cassette): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, `${JSON.stringify(cassette, null, 2)}\n`)
  await rename(temporary, path)
}
