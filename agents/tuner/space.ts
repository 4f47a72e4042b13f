import type { Dsl } from '../ports/runner.ts'
import { autotuneList, parseAutotune } from './autotune.ts'
import { cLiteral, DeclarationError, matchBracket, parseLiteral, parseValueList, pythonLiteral, splitTopLevel } from './literals.ts'
import type { Configuration, DeclaredConstraint, ParamValue, SearchSpace, TunableParameter } from './types.ts'

/**
 * How a candidate declares its tunables (docs/tuner.md). The harness applies `params` by rewriting
 * top-level constants, passing -DNAME=VALUE to C/C++/CUDA builds, and overriding Triton launch options
 * (resources/harness/akg_harness/tunables.py); the declarations below are the ones it can apply:
 *   Python constant, top level:      BLOCK_SIZE = 1024  # akg:tune [256, 512, 1024]
 *   C/C++/CUDA macro, guarded:        #ifndef TILE
 *                                     #define TILE 32  // akg:tune [16, 32, 64]
 *                                     #endif
 *   the harness's dictionary form:    TUNABLES = {"BLOCK_SIZE": [256, 512], "num_warps": [4, 8]}
 *   constraints, either comment:      # akg:constraint BLOCK_M * BLOCK_K <= 16384
 * and an existing @triton.autotune(configs=[...]), whose configs become the space's points.
 */
const PYTHON_TUNABLE = /^(\s*)([A-Za-z_]\w*)(\s*(?::\s*[\w.[\], ]+)?=\s*)(.+?)(\s*#\s*akg:tune\s*)(\S.*?)\s*$/
const C_TUNABLE = /^(\s*#\s*define\s+)([A-Za-z_]\w*)(\s+)(.+?)(\s*\/\/\s*akg:tune\s*)(\S.*?)\s*$/
const PYTHON_CONSTANT = /^([A-Za-z_]\w*)(\s*(?::\s*[\w.[\], ]+)?=\s*)([^#\n]+?)(\s*#.*)?$/
const C_DEFINE = /^(\s*#\s*define\s+)([A-Za-z_]\w*)(\s+)([^/\n]+?)(\s*\/\/.*)?$/
const CONSTRAINT = /(?:#|\/\/)\s*akg:constraint\s+(.+?)\s*$/
const TUNABLES_DICT = /^TUNABLES\s*(?::[^=]+)?=\s*\{/m
/** Triton launch options the harness overrides at every launch. */
export const LAUNCH_OPTIONS = ['num_warps', 'num_stages', 'maxnreg', 'num_ctas']

/** The largest space enumerated; beyond it the user should narrow the lists. */
export const MAX_SPACE_SIZE = 200_000

function guarded(lines: string[], index: number, name: string): boolean {
  for (let previous = index - 1; previous >= 0; previous--) {
    const text = lines[previous]!.trim()
    if (text === '') continue
    return new RegExp(`^#\\s*(ifndef\\s+${name}\\b|if\\s+!\\s*defined\\s*\\(?\\s*${name}\\b)`).test(text)
  }
  return false
}

/** Reads the tunables a candidate declares. Throws DeclarationError naming the line when one is malformed. */
export function parseSpace(source: string, dsl: Dsl): SearchSpace {
  const parameters: TunableParameter[] = []
  const constraints: DeclaredConstraint[] = []
  const lines = source.split('\n')
  lines.forEach((text, index) => {
    const line = index + 1
    const python = PYTHON_TUNABLE.exec(text)
    const c = python ? null : C_TUNABLE.exec(text)
    if (python) {
      if (python[1] !== '') throw new DeclarationError(`${python[2]} must be a top-level constant: the harness rewrites module-level constants only`, line)
      parameters.push({ name: python[2]!, values: parseValueList(python[6]!, line), default: parseLiteral(python[4]!, line), kind: 'python-assignment', line })
      return
    }
    if (c) {
      if (!guarded(lines, index, c[2]!)) {
        throw new DeclarationError(`wrap #define ${c[2]} in #ifndef ${c[2]} ... #endif, so the harness's -D${c[2]}=value takes effect`, line)
      }
      parameters.push({ name: c[2]!, values: parseValueList(c[6]!, line), default: parseLiteral(c[4]!, line), kind: 'c-define', line })
      return
    }
    if (/akg:tune\b/.test(text)) {
      throw new DeclarationError('akg:tune must follow `NAME = value` (Python) or `#define NAME value` (C/C++/CUDA) on the same line', line)
    }
    const constraint = CONSTRAINT.exec(text)
    if (constraint) constraints.push({ expression: constraint[1]!, line })
  })
  parameters.push(...parseTunablesDict(source, lines))
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
  return { dsl, parameters, points: autotune ? autotune.points : null, constraints, declaredBy: autotune ? 'triton-autotune' : 'comments' }
}

/** The harness's `TUNABLES = {"NAME": [values]}`: each name must be a constant, a macro or a launch option. */
function parseTunablesDict(source: string, lines: string[]): TunableParameter[] {
  const found = TUNABLES_DICT.exec(source)
  if (!found) return []
  const open = found.index + found[0].length - 1
  const line = source.slice(0, found.index).split('\n').length
  const close = matchBracket(source, open)
  if (close < 0) throw new DeclarationError('the TUNABLES dictionary is not closed', line)
  return splitTopLevel(source.slice(open + 1, close - 1), ',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [key, list] = splitTopLevel(entry, ':')
      const name = parseLiteral(key ?? '', line)
      if (typeof name !== 'string') throw new DeclarationError(`TUNABLES key ${key} is not a name`, line)
      const values = parseValueList(list ?? '', line)
      const constant = lines.findIndex((text) => PYTHON_CONSTANT.exec(text)?.[1] === name)
      if (constant >= 0)
        return { name, values, default: parseLiteral(PYTHON_CONSTANT.exec(lines[constant]!)![3]!, constant + 1), kind: 'python-assignment' as const, line }
      const define = lines.findIndex((text) => C_DEFINE.exec(text)?.[2] === name)
      if (define >= 0) {
        if (!guarded(lines, define, name))
          throw new DeclarationError(`wrap #define ${name} in #ifndef ${name} ... #endif, so the harness's -D${name}=value takes effect`, define + 1)
        return { name, values, default: parseLiteral(C_DEFINE.exec(lines[define]!)![4]!, define + 1), kind: 'c-define' as const, line }
      }
      if (LAUNCH_OPTIONS.includes(name)) {
        const literal = new RegExp(`\\b${name}\\s*=\\s*(\\d+)`).exec(source)
        return { name, values, default: literal ? Number(literal[1]) : values[0]!, kind: 'launch-option' as const, line }
      }
      throw new DeclarationError(`TUNABLES names ${name}, which is not a top-level constant, a #define or a launch option (${LAUNCH_OPTIONS.join(', ')})`, line)
    })
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
    throw new DeclarationError(
      `the space holds ${size} configurations, more than ${MAX_SPACE_SIZE}; shorten the akg:tune lists or add akg:constraint lines`,
      null,
    )
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
  JSON.stringify(
    Object.keys(configuration)
      .sort()
      .map((name) => [name, configuration[name]]),
  )

/**
 * The candidate source with the configuration written in: the source of the new candidate that the
 * best configuration becomes, and what is evaluated for autotune points (which the harness cannot
 * pin through params). The declarations stay, so the result can be tuned again. Unknown names are an error.
 */
export function applyConfiguration(source: string, space: SearchSpace, configuration: Configuration): string {
  const byName = new Map(space.parameters.map((parameter) => [parameter.name, parameter]))
  for (const name of Object.keys(configuration)) {
    if (!byName.has(name)) throw new DeclarationError(`the candidate declares no tunable named ${name}`, null)
  }
  let text = source
  const autotune = space.points ? parseAutotune(text) : null
  if (autotune) {
    const chosen: Configuration = {}
    for (const name of Object.keys(space.points![0]!)) chosen[name] = configuration[name] ?? space.points![0]![name]!
    text = text.slice(0, autotune.start) + autotuneList(autotune, chosen, pythonLiteral) + text.slice(autotune.end)
  }
  const wanted = (name: string, kind: TunableParameter['kind']) => Object.hasOwn(configuration, name) && byName.get(name)?.kind === kind
  text = text
    .split('\n')
    .map((line) => {
      const constant = PYTHON_CONSTANT.exec(line)
      if (constant && wanted(constant[1]!, 'python-assignment'))
        return `${constant[1]}${constant[2]}${pythonLiteral(configuration[constant[1]!]!)}${constant[4] ?? ''}`
      const define = constant ? null : C_DEFINE.exec(line)
      if (define && wanted(define[2]!, 'c-define')) return `${define[1]}${define[2]}${define[3]}${cLiteral(configuration[define[2]!]!)}${define[5] ?? ''}`
      return line
    })
    .join('\n')
  for (const [name, value] of Object.entries(configuration)) {
    // Launch options are overridden at every launch by the harness; bake them into every literal keyword.
    if (byName.get(name)?.kind === 'launch-option') text = text.replace(new RegExp(`\\b${name}(\\s*=\\s*)\\d+`, 'g'), `${name}$1${value}`)
  }
  return text
}
