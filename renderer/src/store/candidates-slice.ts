import type { CandidateDetail } from '../../../agents/contract/index.ts'
import { request } from '../transport/index.ts'
import type { Loadable, Slice } from './slice.ts'

/** Key of a candidate's detail: the run and the candidate, since ids repeat across runs. */
export const candidateKey = (runId: string, candidateId: string) => `${runId}/${candidateId}`

export interface CandidatesSlice {
  /** Code, parent code and full verdict of a candidate, read from the run's artifacts. */
  candidateDetails: Record<string, Loadable<CandidateDetail> & { status?: string }>
  /** Reads a candidate's detail; again when its status moved on since the last read. */
  loadCandidate(runId: string, candidateId: string): Promise<void>
}

export const createCandidatesSlice: Slice<CandidatesSlice> = (set, get) => ({
  candidateDetails: {},
  async loadCandidate(runId, candidateId) {
    const key = candidateKey(runId, candidateId)
    const status = get().runModels[runId]?.candidates[candidateId]?.record.status
    const current = get().candidateDetails[key]
    if (current && current.state !== 'error' && current.status === status) return
    set((state) => ({ candidateDetails: { ...state.candidateDetails, [key]: { state: 'loading', status } } }))
    const result = await request('runs.candidate', { runId, candidateId })
    set((state) => ({
      candidateDetails: {
        ...state.candidateDetails,
        [key]: result.ok ? { state: 'ready', value: result.data, status } : { state: 'error', ...result.error, status },
      },
    }))
  },
})
