import type { Configuration, TunableParameter } from '../types.ts'

/**
 * Coordinates on the ordinal grid, each axis in [0, 1]: log2 of the value for positive numbers (block
 * sizes and warp counts are powers of two, and their effect scales with the exponent), list position
 * for other numbers, and one axis per word for a category (any two words at distance 1). A parameter
 * with one value gets no axis.
 */
export function ordinalCoordinates(parameters: TunableParameter[], configurations: Configuration[]): number[][] {
  const axes: Array<(params: Configuration) => number> = []
  for (const parameter of parameters) {
    const values = parameter.values
    if (values.length < 2) continue
    if (values.every((value) => typeof value === 'number')) {
      const numbers = values as number[]
      const position = numbers.every((value) => value > 0) ? (value: number) => Math.log2(value) : (value: number) => numbers.indexOf(value)
      const low = Math.min(...numbers.map(position))
      const high = Math.max(...numbers.map(position))
      axes.push((params) => (high > low ? (position(params[parameter.name] as number) - low) / (high - low) : 0))
    } else {
      for (const word of values) axes.push((params) => (params[parameter.name] === word ? Math.SQRT1_2 : 0))
    }
  }
  return configurations.map((params) => axes.map((axis) => axis(params)))
}

function squaredDistance(a: number[], b: number[]): number {
  let sum = 0
  for (let axis = 0; axis < a.length; axis++) sum += (a[axis]! - b[axis]!) ** 2
  return sum
}

/** Tries of the Latin hypercube; the one whose snapped points lie farthest apart is kept. */
const DESIGN_TRIES = 16

/**
 * A space-filling start: `count` Latin-hypercube targets (one per stratum on every axis) snapped to the
 * nearest feasible point not taken yet, best of a few tries by the smallest pairwise distance. Returns
 * indices into `points`. Snapping keeps it valid when constraints cut the grid.
 */
export function latinHypercube(points: number[][], count: number, random: () => number): number[] {
  const dimensions = points[0]?.length ?? 0
  let best: number[] = []
  let bestSpread = -Infinity
  for (let attempt = 0; attempt < DESIGN_TRIES; attempt++) {
    const strata = Array.from({ length: dimensions }, () => shuffledRange(count, random))
    const chosen: number[] = []
    for (let row = 0; row < count; row++) {
      const target = strata.map((order) => (order[row]! + random()) / count)
      let nearest = -1
      let nearestDistance = Infinity
      points.forEach((point, index) => {
        if (chosen.includes(index)) return
        const distance = squaredDistance(point, target)
        if (distance < nearestDistance) {
          nearestDistance = distance
          nearest = index
        }
      })
      if (nearest >= 0) chosen.push(nearest)
    }
    let spread = Infinity
    for (let a = 0; a < chosen.length; a++)
      for (let b = a + 1; b < chosen.length; b++) spread = Math.min(spread, squaredDistance(points[chosen[a]!]!, points[chosen[b]!]!))
    if (spread > bestSpread) {
      bestSpread = spread
      best = chosen
    }
  }
  return best
}

function shuffledRange(count: number, random: () => number): number[] {
  const order = Array.from({ length: count }, (_, index) => index)
  for (let index = count - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1))
    ;[order[index], order[other]] = [order[other]!, order[index]!]
  }
  return order
}
