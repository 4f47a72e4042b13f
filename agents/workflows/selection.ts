import type { CandidateRecord } from '../contract/runs.ts'

const median = (candidate: CandidateRecord): number => candidate.verdict?.medianMs ?? Number.POSITIVE_INFINITY

/** Correct candidates, fastest first (ties: earliest). */
export const rankCorrect = (candidates: Iterable<CandidateRecord>): CandidateRecord[] =>
  [...candidates].filter((candidate) => candidate.verdict?.correct && candidate.origin !== 'migrate-source').sort((a, b) => median(a) - median(b))

/** A candidate's reward for UCB: its speed relative to the fastest in the pool, in (0, 1]. */
export function reward(candidate: CandidateRecord, fastestMs: number): number {
  const own = median(candidate)
  if (!Number.isFinite(own) || own <= 0 || !Number.isFinite(fastestMs)) return 0
  return Math.min(1, fastestMs / own)
}

export interface UcbScore {
  candidate: CandidateRecord
  visits: number
  score: number
}

/**
 * UCB1 over the pool of correct candidates: reward (relative speed) plus c·sqrt(ln N / (n + 1)),
 * where n counts the children already bred from a candidate and N all children of the pool.
 */
export function ucbScores(pool: CandidateRecord[], all: Iterable<CandidateRecord>, c: number): UcbScore[] {
  const visits = new Map<string, number>()
  for (const candidate of all) if (candidate.parentId) visits.set(candidate.parentId, (visits.get(candidate.parentId) ?? 0) + 1)
  const total = pool.reduce((sum, candidate) => sum + (visits.get(candidate.id) ?? 0), 0)
  const fastest = Math.min(...pool.map(median))
  return pool.map((candidate) => {
    const n = visits.get(candidate.id) ?? 0
    return { candidate, visits: n, score: reward(candidate, fastest) + c * Math.sqrt(Math.log(total + 1) / (n + 1)) }
  })
}

/** The parent UCB picks; ties go to the faster candidate. */
export function ucbSelect(pool: CandidateRecord[], all: Iterable<CandidateRecord>, c: number): CandidateRecord | null {
  if (pool.length === 0) return null
  const ranked = ucbScores(rankCorrect(pool), all, c)
  return ranked.reduce((best, entry) => (entry.score > best.score + 1e-12 ? entry : best)).candidate
}

/** An island's elites: its own correct candidates and those that migrated in, fastest first, at most `size`. */
export function islandElites(candidates: Iterable<CandidateRecord>, island: number, migrants: Set<string> | undefined, size: number): CandidateRecord[] {
  const members = [...candidates].filter((candidate) => candidate.island === island || migrants?.has(candidate.id))
  return rankCorrect(members).slice(0, size)
}

/** Deterministic parent choice for evolve slot k: elites taken in rank order, round robin. */
export const pickParent = (elites: CandidateRecord[], slot: number): CandidateRecord | null => (elites.length === 0 ? null : elites[slot % elites.length]!)
