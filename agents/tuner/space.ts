import type { Dsl } from '../ports/runner.ts'
import { autotuneList, parseAutotune } from './autotune.ts'
import { cLiteral, DeclarationError, parseLiteral, parseValueList, pythonLiteral } from './literals.ts'
import type { Configuration, DeclaredConstraint, ParamValue, SearchSpace, TunableParameter } from './types.ts'

/**
 * The declaration convention (docs/tuner.md), one per kind of source line:
 *   Python (Triton launch options, any module constant):  BLOCK_SIZE = 1024  # akg:tune [256, 512, 1024]
 *   C, C++ and CUDA-C source (also inside a Python string): #define TILE 32  // akg:tune [16, 32, 64]
 *   constraints, either comment style:                     # akg:constraint BLOCK_M * BLOCK_K <= 16384
 * and an existing @triton.autotune(configs=[...]) whose configs become the space's points.
 */
const PYTHON_TUNABLE = /^(\s*)([A-Za-z_]\w*)(\s*(?::\s*[\w.[\], ]+)?=\s*)(.+?)(\s*#\s*akg:tune\s*)(\S.*?)\s*$/
const C_TUNABLE = /^(\s*#\s*define\s+)([A-Za-z_]\w*)(\s+)(.+?)(\s*\/\/\s*akg:tune\s*)(\S.*?)\s*$/
const CONSTRAINT = /(?:#|\/\/)\s*akg:constraint\s+(.+?)\s*$/

/** The largest space enumerated; beyond it the user should narrow the lists. */
export const MAX_SPACE_SIZE = 200_000

/** Reads the tunables a candidate declares. Throws DeclarationError naming the line when one is malformed. */
export function parseSpace(source: string, dsl: Dsl): SearchSpace {
  const parameters: TunableParameter[] = []
  const constraints: DeclaredConstraint[] = []
  const lines = source.split('\n')
  lines.forEach((text, index) => {
    const line = index + 1
    const python = PYTHON_TUNABLE.exec(text)
    const c = python ? null : C_TUNABLE.exec(text)
    const match = python ?? c
    if (match) {
      parameters.push({
        name: match[2]!,
        values: parseValueList(match[6]!, line),
        default: parseLiteral(match[4]!, line),
        kind: python ? 'python-assignment' : 'c-define',
        line,
      })
      return
    }
    if (/akg:tune\b/.test(text)) {
      throw new DeclarationError('akg:tune must follow `NAME = value` (Python) or `#define NAME value` (C/C++/CUDA) on the same line', line)
    }
    const constraint = CONSTRAINT.exec(text)
    if (constraint) constraints.push({ expression: constraint[1]!, line })
  })
  const autotune = parseAutotune(source)
  if (autotune) {
    const first = autotune.points[0]!
    for (const name of Object.keys(first)) {
      const values: ParamValue[] = []
      for (const point of autotune.points) if (!values.includes(point[name]!)) values.push(point[name]!)
      parameters.push({ name, values, default: first[name]!, kind: 'triton-autotune', line: autotune.line })
    }
  }
  const seen = new Set<string>()
  for (const parameter of parameters) {
    if (seen.has(parameter.name)) throw new DeclarationError(`the tunable ${parameter.name} is declared twice`, parameter.line)
    seen.add(parameter.name)
  }
  return {
    dsl,
    parameters,
    points: autotune ? autotune.points : null,
    constraints,
    declaredBy: autotune ? 'triton-autotune' : 'comments',
  }
}

/** How many configurations the space holds. */
export function spaceSize(space: SearchSpace): number {
  const free = space.parameters.filter((parameter) => parameter.kind !== 'triton-autotune')
  return free.reduce((product, parameter) => product * parameter.values.length, space.points?.length ?? 1)
}

/** Every configuration, autotune points first then the declared lists, the last parameter varying fastest. */
export function enumerateSpace(space: SearchSpace): Configuration[] {
  const size = spaceSize(space)
  if (size > MAX_SPACE_SIZE) {
    throw new DeclarationError(`the space holds ${size} configurations, more than ${MAX_SPACE_SIZE}; shorten the akg:tune lists or add akg:constraint lines`, null)
  }
  let configurations: Configuration[] = space.points ? space.points.map((point) => ({ ...point })) : [{}]
  for (const parameter of space.parameters.filter((item) => item.kind !== 'triton-autotune')) {
    configurations = configurations.flatMap((configuration) => parameter.values.map((value) => ({ ...configuration, [parameter.name]: value })))
  }
  return configurations
}

/** The untuned candidate's own configuration. */
export function defaultConfiguration(space: SearchSpace): Configuration {
  return Object.fromEntries(space.parameters.map((parameter) => [parameter.name, parameter.default]))
}

/** A stable key for a configuration, for caches and de-duplication. */
export const configurationKey = (configuration: Configuration): string =>
  JSON.stringify(Object.keys(configuration).sort().map((name) => [name, configuration[name]]))

/**
 * The candidate source with the configuration written in: what the harness runs for `params`,
 * and the source of the new candidate the best configuration becomes. Unknown names are an error.
 */
export function applyConfiguration(source: string, space: SearchSpace, configuration: Configuration): string {
  const known = new Set(space.parameters.map((parameter) => parameter.name))
  for (const name of Object.keys(configuration)) {
    if (!known.has(name)) throw new DeclarationError(`the candidate declares no tunable named ${name}`, null)
  }
  let text = source
  const autotune = space.points ? parseAutotune(text) : null
  if (autotune) {
    const chosen: Configuration = {}
    for (const name of Object.keys(space.points![0]!)) chosen[name] = configuration[name] ?? space.points![0]![name]!
    text = text.slice(0, autotune.start) + autotuneList(autotune, chosen, pythonLiteral) + text.slice(autotune.end)
  }
  return text
    .split('\n')
    .map((line) => {
      const python = PYTHON_TUNABLE.exec(line)
      if (python && Object.hasOwn(configuration, python[2]!)) {
        return `${python[1]}${python[2]}${python[3]}${pythonLiteral(configuration[python[2]!]!)}${python[5]}${python[6]}`
      }
      const c = python ? null : C_TUNABLE.exec(line)
      if (c && Object.hasOwn(configuration, c[2]!)) return `${c[1]}${c[2]}${c[3]}${cLiteral(configuration[c[2]!]!)}${c[5]}${c[6]}`
      return line
    })
    .join('\n')
}
