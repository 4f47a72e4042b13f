import type { Boundedness } from '../contract/runs.ts'
import type { Verdict } from '../ports/index.ts'
import { dominant, ncuSide, type HotSpot, type NcuKernel, type NcuSide } from './ncu-data.ts'

/** A roof at or above this share of its peak is the one the kernel presses against (ncu's own SOL guidance uses 60%). */
export const saturatedSolPct = 60
/** Both roofs under this share: the kernel neither streams nor computes at speed; it waits (latency, occupancy, launch). */
export const idleSolPct = 40
/** Achieved occupancy under this share of the theoretical one: the warps the launch allows are not resident (tail, imbalance). */
const occupancyShortfall = 0.8
/** Facts are cut to this many: a model acts on a few concrete ones, not on a report. */
export const maxFacts = 8
/** Hot lines the prompt names. */
export const maxHotLines = 2

/** What each ncu stall reason means, in words an optimiser acts on. */
export const stallMeaning: Record<string, string> = {
  long_scoreboard: 'waiting on global or local memory (L1TEX) results',
  short_scoreboard: 'waiting on shared memory or special-function (MIO) results',
  wait: 'fixed-latency dependencies between back-to-back instructions',
  mio_throttle: 'the shared-memory / MIO instruction queue is full',
  lg_throttle: 'the global/local memory instruction queue is full (many narrow loads or stores)',
  barrier: 'waiting at a block-wide barrier',
  math_pipe_throttle: 'a math pipe is busy (the kernel is issue- or compute-limited)',
  dispatch_stall: 'the dispatcher could not issue (pipeline conflicts)',
  no_instruction: 'instruction cache misses or branch targets not yet fetched',
  not_selected: 'eligible warps waiting their turn (enough warps; not a problem by itself)',
  branch_resolving: 'branch targets being computed (divergent control flow)',
  membar: 'memory fences',
  drain: 'stores draining at kernel exit',
  imc_miss: 'constant-cache misses',
  tex_throttle: 'the texture pipeline is full',
  sleeping: 'warps sleeping (nanosleep / yield)',
}

const limiterMeaning: Record<string, string> = {
  registers: 'registers per thread',
  shared_mem: 'shared memory per block',
  warps: 'threads per block (the warp limit per SM)',
  blocks: 'the blocks-per-SM limit (blocks are too small)',
}

export interface Diagnosis {
  bound: Boundedness
  facts: string[]
  hotSpots: HotSpot[]
}

const pct = (value: number | null): string => (value === null ? '?' : `${value.toFixed(0)}%`)
const label = (reason: string): string => reason.replace(/_/g, ' ')
const microseconds = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(3)} ms`)

/** What bounds one kernel by speed of light: the roof it presses, or neither. */
export function boundOfKernel(kernel: NcuKernel): Boundedness {
  const memory = kernel.memoryPct ?? 0
  const compute = kernel.smPct ?? 0
  if (Math.max(memory, compute) < idleSolPct) return 'occupancy-bound'
  if (memory >= saturatedSolPct || compute >= saturatedSolPct) return memory >= compute ? 'memory-bound' : 'compute-bound'
  return memory >= compute ? 'memory-bound' : 'compute-bound'
}

/** The stall reasons of a kernel as shares of all stalled warps, largest first ('selected' is issue, not stall). */
export function stallShares(kernel: NcuKernel): Array<{ reason: string; value: number; share: number }> {
  const entries = Object.entries(kernel.stalls).filter(([reason, value]) => reason !== 'selected' && value > 0)
  const total = entries.reduce((sum, [, value]) => sum + value, 0)
  return entries.map(([reason, value]) => ({ reason, value, share: total > 0 ? value / total : 0 })).sort((a, b) => b.value - a.value)
}

function occupancyFact(kernel: NcuKernel): string | null {
  if (kernel.occupancyPct === null) return null
  const theoretical = kernel.theoreticalOccupancyPct
  const limiter = kernel.limiter ? (limiterMeaning[kernel.limiter] ?? kernel.limiter) : null
  const blocks = kernel.limiter ? kernel.blockLimits[kernel.limiter] : undefined
  let text = `Achieved occupancy ${pct(kernel.occupancyPct)}` + (theoretical !== null ? ` of a theoretical ${pct(theoretical)}` : '')
  if (limiter && theoretical !== null && theoretical < 100) {
    text +=
      `; the theoretical limit is set by ${limiter}` +
      (blocks !== undefined ? ` (${blocks} block${blocks === 1 ? '' : 's'} of ${kernel.blockSize ?? '?'} threads per SM` : ' (')
    text += kernel.registers !== null ? `, ${kernel.registers} registers per thread)` : ')'
  }
  if (theoretical !== null && kernel.occupancyPct < theoretical * occupancyShortfall) {
    text +=
      kernel.wavesPerSm !== null && kernel.wavesPerSm < 2
        ? `; only ${kernel.wavesPerSm.toFixed(1)} waves of blocks, so the last wave leaves SMs idle`
        : '; resident warps fall short of it (load imbalance or a tail)'
  }
  return `${text}.`
}

function memoryFact(kernel: NcuKernel, minimumBytes: number | null): string | null {
  const parts: string[] = []
  if (kernel.dramBytes !== null) {
    parts.push(
      `DRAM traffic ${(kernel.dramBytes / 1e6).toFixed(1)} MB` +
        (minimumBytes ? ` (${(kernel.dramBytes / minimumBytes).toFixed(2)}x the task's ${(minimumBytes / 1e6).toFixed(1)} MB minimum` : '') +
        // Below the minimum is not a saving: writes still held in L2 when the kernel ended
        // reach DRAM after it (a 64 MB output on an H200 left 6% of the bytes there).
        (minimumBytes && kernel.dramBytes < 0.98 * minimumBytes ? ', the rest still in L2 when the kernel ended)' : minimumBytes ? ')' : ''),
    )
  }
  if (kernel.l1HitPct !== null || kernel.l2HitPct !== null) parts.push(`L1 hit rate ${pct(kernel.l1HitPct)}, L2 hit rate ${pct(kernel.l2HitPct)}`)
  return parts.length ? `${parts.join('; ')}.` : null
}

function registerFact(kernel: NcuKernel): string | null {
  if (kernel.registers === null) return null
  const spills = kernel.spills ?? 0
  const tensor = kernel.tensorPct !== null ? `; tensor pipes ${kernel.tensorPct > 0 ? `active ${pct(kernel.tensorPct)} of cycles` : 'idle'}` : ''
  return `${kernel.registers} registers per thread, ${spills > 0 ? `${spills} local-memory (spill) instructions executed` : 'no spills'}${tensor}.`
}

function hotSpotFacts(spots: HotSpot[]): string[] {
  return spots
    .slice(0, maxHotLines)
    .filter((spot) => spot.share >= 0.05)
    .map((spot) => {
      const stall = spot.topStall
        ? `, mostly ${label(spot.topStall)}${spot.topStallShare !== null ? ` (${pct(spot.topStallShare * 100)} of its samples)` : ''}`
        : ''
      return `Line ${spot.line} (\`${spot.text.slice(0, 80)}\`): ${pct(spot.share * 100)} of stall samples${stall}.`
    })
}

/** The baseline's heaviest kernel in one line, so the model knows what eager already achieves. */
function baselineFact(baseline: NcuSide | null, candidate: NcuSide): string | null {
  const top = dominant(baseline)
  if (!baseline || !top) return null
  const ratio = candidate.totalMs > 0 ? baseline.totalMs / candidate.totalMs : null
  return (
    `PyTorch eager runs ${baseline.kernels.length} kernel${baseline.kernels.length === 1 ? '' : 's'} in ${microseconds(baseline.totalMs)} of GPU time` +
    (ratio !== null ? ` (${ratio.toFixed(2)}x the candidate's ${microseconds(candidate.totalMs)})` : '') +
    `; its heaviest, ${top.name.slice(0, 60)}, is at ${pct(top.memoryPct)} memory and ${pct(top.smPct)} compute speed of light.`
  )
}

/**
 * The optimize prompt's facts from ncu: what bounds the dominant kernel (speed of light), the top
 * stall, occupancy and its limiter, memory traffic against the task's minimum, registers and
 * spills, the hot source lines, and the eager baseline. Null when the verdict has no ncu kernels.
 */
export function diagnoseNcu(verdict: Verdict): Diagnosis | null {
  const candidate = ncuSide(verdict, 'candidate')
  const kernel = dominant(candidate)
  if (!candidate || !kernel) return null
  const bound = boundOfKernel(kernel)
  const minimumBytes = typeof verdict.roofline?.bytes === 'number' ? verdict.roofline.bytes : null
  const share = candidate.totalMs > 0 ? kernel.durationMs / candidate.totalMs : 1
  const facts: string[] = []
  const several = candidate.kernels.length > 1 ? ` (${pct(share * 100)} of ${candidate.kernels.length} kernels' GPU time)` : ''
  const verdictWord =
    bound === 'occupancy-bound' ? 'neither roof binds: the kernel is latency-bound, waiting rather than streaming or computing' : `${bound.replace('-', ' ')}`
  facts.push(
    `${kernel.name.slice(0, 60)}${several}: ${microseconds(kernel.durationMs)}, memory ${pct(kernel.memoryPct)} and compute ${pct(kernel.smPct)} of speed of light (DRAM ${pct(kernel.dramPct)}); ${verdictWord}.`,
  )
  const stalls = stallShares(kernel)
  const top = stalls[0]
  if (top) {
    const second = stalls[1] && stalls[1].share >= 0.15 ? `, then ${label(stalls[1].reason)} (${pct(stalls[1].share * 100)})` : ''
    facts.push(`Top warp stall: ${label(top.reason)}, ${pct(top.share * 100)} of stalled warps (${stallMeaning[top.reason] ?? 'see the ncu docs'})${second}.`)
  }
  // Ordered by what a rewrite acts on first: the hottest line, then occupancy and traffic, then what eager achieves.
  const [hottest, ...otherHot] = hotSpotFacts(candidate.hotSpots)
  const baseline = baselineFact(ncuSide(verdict, 'baseline'), candidate)
  for (const fact of [hottest, occupancyFact(kernel), memoryFact(kernel, minimumBytes), baseline, ...otherHot, registerFact(kernel)]) if (fact) facts.push(fact)
  return { bound, facts: facts.slice(0, maxFacts), hotSpots: candidate.hotSpots }
}
