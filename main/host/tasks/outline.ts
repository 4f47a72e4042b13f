import type { TaskOutline } from '../../../agents/contract/index.ts'

/** Constants past this length are shown elided; KernelBench shape constants are short. */
const CONSTANT_DISPLAY_LIMIT = 80

/**
 * Reads a KernelBench-format task without running it: the app process never executes task code,
 * the harness does, in its own process.
 */
export function outlineTask(source: string): TaskOutline {
  const hasModel = /^class\s+Model\s*\(/m.test(source)
  const hasGetInputs = /^def\s+get_inputs\s*\(/m.test(source)
  const hasGetInitInputs = /^def\s+get_init_inputs\s*\(/m.test(source)
  const constants: Record<string, string> = {}
  for (const match of source.matchAll(/^([A-Za-z_]\w*)\s*=\s*(.+?)\s*(?:#.*)?$/gm)) {
    const [, name, value] = match
    if (!name || !value || name.startsWith('_')) continue
    constants[name] = value.length > CONSTANT_DISPLAY_LIMIT ? `${value.slice(0, CONSTANT_DISPLAY_LIMIT)}…` : value
  }
  const docstring = /^class\s+Model\s*\([^)]*\)\s*:\s*\n\s+(?:"""|''')\s*([^\n]*?)\s*(?:\n|"""|''')/m.exec(source)
  const problems: string[] = []
  if (!hasModel) problems.push('no top-level `class Model(nn.Module)`: the reference implementation is missing')
  if (!hasGetInputs) problems.push('no top-level `def get_inputs()`: the harness cannot build inputs')
  if (!hasGetInitInputs) problems.push('no top-level `def get_init_inputs()`: add one that returns [] when Model takes no arguments')
  return {
    hasModel,
    hasGetInputs,
    hasGetInitInputs,
    summary: docstring?.[1] ? docstring[1] : null,
    constants,
    problems,
  }
}

/** KernelBench keeps levels in folders (level1/) and problems as `N_Name.py`. */
export function levelFromPath(path: string): number | null {
  const match = /level[_-]?(\d+)/i.exec(path)
  return match?.[1] ? Number(match[1]) : null
}
