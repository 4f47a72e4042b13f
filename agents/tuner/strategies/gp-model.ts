/**
 * A small Gaussian process for the tuner's surrogate: squared-exponential kernel with one length scale
 * per axis (ARD), constant mean, fixed noise, on standardised targets. The length scales are picked
 * from a grid by coordinate ascent on the log marginal likelihood: with a dozen or two observations,
 * a grid is as good as a gradient method and cannot diverge. An axis that does not matter (pipeline
 * stages on a memory-bound kernel) gets a long length scale, so the model stops spending on it.
 */

/** Length scales tried per axis, in units of the axis's [0, 1] range; the last one means "does not matter". */
const LENGTH_SCALES = [0.15, 0.3, 0.6, 1.2, 20]
/** Starting length scale for every axis before the ascent. */
const START_SCALE = 0.6
const SWEEPS = 2
/** Noise variance on the standardised scale: repeat timings of one configuration differ by about 1 %. */
const NOISE = 1e-3

export interface Fitted {
  /** Expected improvement below the best observed value, in standardised units. */
  expectedImprovement(point: number[]): number
  predict(point: number[]): { mean: number; sd: number }
  lengthScales: number[]
}

/** Fits the process to latencies (milliseconds, positive) at points on the ordinal grid. */
export function fitProcess(inputs: number[][], targets: number[]): Fitted {
  // Log latency, standardised: a spilling tile 10-30 times slower than the best is an outlier on a
  // linear scale and sets the model's scale; in logs the few per cent between good ones still show.
  const logs = targets.map((value) => Math.log(value))
  const count = logs.length
  const mean = logs.reduce((sum, value) => sum + value, 0) / count
  const spread = Math.sqrt(logs.reduce((sum, value) => sum + (value - mean) ** 2, 0) / count) || 1
  const y = logs.map((value) => (value - mean) / spread)
  const dimensions = inputs[0]?.length ?? 0
  const scales = Array.from({ length: dimensions }, () => START_SCALE)
  let bestFit = factorise(inputs, y, scales)
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    for (let axis = 0; axis < dimensions; axis++) {
      for (const scale of LENGTH_SCALES) {
        if (scale === scales[axis]) continue
        const trial = [...scales]
        trial[axis] = scale
        const fit = factorise(inputs, y, trial)
        if (fit.logLikelihood > bestFit.logLikelihood + 1e-9) {
          bestFit = fit
          scales[axis] = scale
        }
      }
    }
  }
  const { chol, alpha } = bestFit
  const incumbent = Math.min(...y)
  const predict = (point: number[]) => {
    const k = inputs.map((input) => kernel(point, input, scales))
    const meanValue = k.reduce((sum, value, index) => sum + value * alpha[index]!, 0)
    const v = forward(chol, k)
    const variance = Math.max(1e-12, 1 + NOISE - v.reduce((sum, value) => sum + value * value, 0))
    return { mean: meanValue, sd: Math.sqrt(variance) }
  }
  return {
    lengthScales: scales,
    predict,
    expectedImprovement(point) {
      const { mean: mu, sd } = predict(point)
      const z = (incumbent - mu) / sd
      return (incumbent - mu) * normalCdf(z) + sd * normalPdf(z)
    },
  }
}

function kernel(a: number[], b: number[], scales: number[]): number {
  let sum = 0
  for (let axis = 0; axis < a.length; axis++) sum += ((a[axis]! - b[axis]!) / scales[axis]!) ** 2
  return Math.exp(-0.5 * sum)
}

/** Cholesky factor of K + noise, alpha = K^-1 y, and the log marginal likelihood. */
function factorise(inputs: number[][], y: number[], scales: number[]) {
  const count = y.length
  const chol: number[][] = Array.from({ length: count }, () => new Array<number>(count).fill(0))
  for (let row = 0; row < count; row++) {
    for (let column = 0; column <= row; column++) {
      let sum = kernel(inputs[row]!, inputs[column]!, scales) + (row === column ? NOISE : 0)
      for (let inner = 0; inner < column; inner++) sum -= chol[row]![inner]! * chol[column]![inner]!
      chol[row]![column] = row === column ? Math.sqrt(Math.max(sum, 1e-12)) : sum / chol[column]![column]!
    }
  }
  const half = forward(chol, y)
  const alpha = backward(chol, half)
  let logDeterminant = 0
  for (let row = 0; row < count; row++) logDeterminant += 2 * Math.log(chol[row]![row]!)
  const logLikelihood = -0.5 * half.reduce((sum, value) => sum + value * value, 0) - 0.5 * logDeterminant
  return { chol, alpha, logLikelihood }
}

function forward(chol: number[][], b: number[]): number[] {
  const x = new Array<number>(b.length).fill(0)
  for (let row = 0; row < b.length; row++) {
    let sum = b[row]!
    for (let column = 0; column < row; column++) sum -= chol[row]![column]! * x[column]!
    x[row] = sum / chol[row]![row]!
  }
  return x
}

function backward(chol: number[][], b: number[]): number[] {
  const x = new Array<number>(b.length).fill(0)
  for (let row = b.length - 1; row >= 0; row--) {
    let sum = b[row]!
    for (let column = row + 1; column < b.length; column++) sum -= chol[column]![row]! * x[column]!
    x[row] = sum / chol[row]![row]!
  }
  return x
}

function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI)
}

/** Standard normal CDF through erf (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * x)
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x)
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf)
}
