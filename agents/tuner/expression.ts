import type { ParamValue } from './types.ts'

/**
 * A small, safe evaluator for constraint expressions over tunables (`BLOCK_M * BLOCK_K * 2 <= 49152`).
 * Arithmetic, comparisons, and/or/not, min/max/abs/log2; no calls into anything else, so a preset
 * or a candidate comment can never run code in the app.
 */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(`${message} in constraint "${expression}"`)
    this.name = 'ExpressionError'
  }
}

type Value = ParamValue
const TOKEN = /\s*(\d+\.?\d*(?:[eE][+-]?\d+)?|\*\*|\/\/|<=|>=|==|!=|&&|\|\||[A-Za-z_]\w*|'[^']*'|"[^"]*"|[-+*/%<>()!,])/y
const FUNCTIONS: Record<string, (...args: number[]) => number> = { min: Math.min, max: Math.max, abs: Math.abs, log2: Math.log2 }

function tokenize(expression: string): string[] {
  const tokens: string[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < expression.length) {
    if (expression.slice(TOKEN.lastIndex).trim() === '') break
    const start = TOKEN.lastIndex
    const match = TOKEN.exec(expression)
    if (!match) throw new ExpressionError(`unexpected character at position ${start}`, expression)
    tokens.push(match[1]!)
  }
  return tokens
}

/** Parses once; the result evaluates against any configuration. */
export function compileExpression(expression: string): (variables: Record<string, Value>) => Value {
  const tokens = tokenize(expression)
  let position = 0
  type Node = (variables: Record<string, Value>) => Value
  const peek = () => tokens[position]
  const take = (expected?: string) => {
    const token = tokens[position++]
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new ExpressionError(expected ? `expected "${expected}"` : 'unexpected end', expression)
    }
    return token
  }
  const number = (value: Value): number => {
    if (typeof value === 'number') return value
    if (typeof value === 'boolean') return value ? 1 : 0
    throw new ExpressionError(`"${value}" is not a number`, expression)
  }
  const binary =
    (next: () => Node, operators: Record<string, (a: Value, b: Value) => Value>): (() => Node) =>
    () => {
      let left = next()
      while (peek() !== undefined && Object.hasOwn(operators, peek()!)) {
        const operate = operators[take()]!
        const right = next()
        const previous = left
        left = (variables) => operate(previous(variables), right(variables))
      }
      return left
    }
  const atom = (): Node => {
    const token = take()
    if (token === '(') {
      const inner = or()
      take(')')
      return inner
    }
    if (/^\d/.test(token)) return () => Number(token)
    if (/^['"]/.test(token)) return () => token.slice(1, -1)
    if (token === 'True' || token === 'true') return () => true
    if (token === 'False' || token === 'false') return () => false
    if (/^[A-Za-z_]/.test(token)) {
      if (peek() === '(' && Object.hasOwn(FUNCTIONS, token)) {
        take('(')
        const args: Node[] = [or()]
        while (peek() === ',') {
          take(',')
          args.push(or())
        }
        take(')')
        return (variables) => FUNCTIONS[token]!(...args.map((argument) => number(argument(variables))))
      }
      return (variables) => {
        if (!Object.hasOwn(variables, token)) throw new ExpressionError(`unknown name ${token}`, expression)
        return variables[token]!
      }
    }
    throw new ExpressionError(`unexpected "${token}"`, expression)
  }
  const power = (): Node => {
    const base = atom()
    if (peek() !== '**') return base
    take()
    const exponent = unary()
    return (variables) => number(base(variables)) ** number(exponent(variables))
  }
  const unary = (): Node => {
    if (peek() === '-') {
      take()
      const inner = unary()
      return (variables) => -number(inner(variables))
    }
    if (peek() === '!' || peek() === 'not') {
      take()
      const inner = unary()
      return (variables) => !inner(variables)
    }
    return power()
  }
  const product = binary(unary, {
    '*': (a, b) => number(a) * number(b),
    '/': (a, b) => number(a) / number(b),
    '//': (a, b) => Math.floor(number(a) / number(b)),
    '%': (a, b) => number(a) % number(b),
  })
  const sum = binary(product, { '+': (a, b) => number(a) + number(b), '-': (a, b) => number(a) - number(b) })
  const comparison = binary(sum, {
    '<': (a, b) => number(a) < number(b),
    '<=': (a, b) => number(a) <= number(b),
    '>': (a, b) => number(a) > number(b),
    '>=': (a, b) => number(a) >= number(b),
    '==': (a, b) => a === b,
    '!=': (a, b) => a !== b,
  })
  const and = binary(comparison, { '&&': (a, b) => Boolean(a) && Boolean(b), and: (a, b) => Boolean(a) && Boolean(b) })
  const or = binary(and, { '||': (a, b) => Boolean(a) || Boolean(b), or: (a, b) => Boolean(a) || Boolean(b) })
  const root = or()
  if (position !== tokens.length) throw new ExpressionError(`unexpected "${tokens[position]}"`, expression)
  return root
}
