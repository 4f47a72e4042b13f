import { DeclarationError, matchBracket, parseLiteral, splitTopLevel } from './literals.ts'
import type { Configuration } from './types.ts'

/** The configs list of an existing `@triton.autotune(configs=[...])`, located so it can be replaced. */
export interface AutotuneBlock {
  /** Offsets of the `[...]` list in the source. */
  start: number
  end: number
  /** How the source spells the Config class (`triton.Config` or `Config`), reused when rewriting. */
  configName: string
  points: Configuration[]
  line: number
}

/** Keyword arguments of triton.Config that are launch options the tuner can set. */
const CONFIG_KEYWORDS = ['num_warps', 'num_stages', 'num_ctas', 'maxnreg']

const lineOf = (source: string, offset: number) => source.slice(0, offset).split('\n').length

/** Finds `@triton.autotune(...)` and reads its configs; null when the candidate has none. */
export function parseAutotune(source: string): AutotuneBlock | null {
  const decorator = /@(?:triton\.)?autotune\s*\(/.exec(source)
  if (!decorator) return null
  const line = lineOf(source, decorator.index)
  const callOpen = decorator.index + decorator[0].length - 1
  const callEnd = matchBracket(source, callOpen)
  if (callEnd < 0) throw new DeclarationError('the @triton.autotune call is not closed', line)
  const configsAt = /configs\s*=\s*\[/.exec(source.slice(callOpen, callEnd))
  if (!configsAt) {
    throw new DeclarationError('@triton.autotune has no literal configs=[...] list; write the configs out or declare the space with akg:tune comments', line)
  }
  const start = callOpen + configsAt.index + configsAt[0].length - 1
  const end = matchBracket(source, start)
  const inner = source.slice(start + 1, end - 1)
  const items = splitTopLevel(inner, ',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
  let configName = 'triton.Config'
  const points = items.map((item) => {
    const call = /^([A-Za-z_][\w.]*Config)\s*\(([\s\S]*)\)$/.exec(item)
    if (!call)
      throw new DeclarationError(`autotune config "${item.slice(0, 60)}" is not a literal triton.Config(...); the tuner reads only written-out configs`, line)
    configName = call[1]!
    return parseConfig(call[2]!, line)
  })
  if (points.length === 0) throw new DeclarationError('@triton.autotune has an empty configs list', line)
  const keys = JSON.stringify(Object.keys(points[0]!).sort())
  for (const point of points) {
    if (JSON.stringify(Object.keys(point).sort()) !== keys) {
      throw new DeclarationError('every autotune config must set the same parameters (and num_warps/num_stages) for the tuner to compare them', line)
    }
  }
  return { start, end, configName, points, line }
}

function parseConfig(argumentsText: string, line: number): Configuration {
  const configuration: Configuration = {}
  for (const argument of splitTopLevel(argumentsText, ',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    if (argument.startsWith('{')) {
      for (const pair of splitTopLevel(argument.slice(1, -1), ',')
        .map((part) => part.trim())
        .filter(Boolean)) {
        const [key, value] = splitTopLevel(pair, ':')
        const name = parseLiteral(key ?? '', line)
        if (typeof name !== 'string') throw new DeclarationError(`autotune config key ${key} is not a name`, line)
        configuration[name] = parseLiteral(value ?? '', line)
      }
      continue
    }
    const keyword = /^(\w+)\s*=\s*([\s\S]+)$/.exec(argument)
    if (!keyword || !CONFIG_KEYWORDS.includes(keyword[1]!)) {
      throw new DeclarationError(
        `autotune config argument "${argument}" is not supported (the tuner reads the kwargs dict and ${CONFIG_KEYWORDS.join(', ')})`,
        line,
      )
    }
    configuration[keyword[1]!] = parseLiteral(keyword[2]!, line)
  }
  return configuration
}

/** The configs list reduced to the one chosen configuration, so autotune has nothing left to search. */
export function autotuneList(block: AutotuneBlock, chosen: Configuration, format: (value: Configuration[string]) => string): string {
  const entries = Object.entries(chosen)
  const kwargs = entries.filter(([name]) => CONFIG_KEYWORDS.includes(name))
  const dictionary = entries.filter(([name]) => !CONFIG_KEYWORDS.includes(name))
  const dictText = `{${dictionary.map(([name, value]) => `${JSON.stringify(name)}: ${format(value)}`).join(', ')}}`
  const kwargText = kwargs.map(([name, value]) => `, ${name}=${format(value)}`).join('')
  return `[${block.configName}(${dictText}${kwargText})]`
}
