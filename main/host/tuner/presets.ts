import { readdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { parsePresetText, PresetError, type LoadedPreset } from '../../../agents/tuner/index.ts'

/** A preset file that could not be loaded: listed so the user can fix it, never silently ignored. */
export interface PresetProblem {
  file: string
  field: string
  message: string
}

/**
 * Loads the shipped presets (resources/tuner/presets) and the user's (<data>/tuner/presets); a user
 * preset with the name of a shipped one replaces it, so a team can retune a scenario without a release.
 */
export async function loadPresets(folders: string[]): Promise<{ presets: LoadedPreset[]; problems: PresetProblem[] }> {
  const byName = new Map<string, LoadedPreset>()
  const problems: PresetProblem[] = []
  for (const folder of folders) {
    let names: string[]
    try {
      names = (await readdir(folder)).filter((name) => name.endsWith('.json')).sort()
    } catch {
      continue
    }
    for (const name of names) {
      const file = join(folder, name)
      try {
        const preset = parsePresetText(await readFile(file, 'utf8'), file)
        byName.set(preset.name, { preset, file })
      } catch (error) {
        if (error instanceof PresetError) problems.push({ file, field: error.field, message: error.message })
        else problems.push({ file, field: '(document)', message: `${file}: ${error instanceof Error ? error.message : String(error)}` })
      }
    }
  }
  return { presets: [...byName.values()], problems }
}

/** Reads one preset file given by path (`--strategy ./my-preset.json`); a problem is thrown with the field. */
export async function loadPresetFile(file: string): Promise<LoadedPreset> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new PresetError(basename(file), '(document)', `cannot be read: ${error instanceof Error ? error.message : String(error)}`)
  }
  return { preset: parsePresetText(text, file), file }
}
