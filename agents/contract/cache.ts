import { z } from 'zod'
import { route } from './define.ts'

/** What the harness keeps between evaluations (resources/harness/README.md, "cache"). */
export type CacheKind = 'baselines' | 'peaks' | 'build'

/** One cached item with its provenance: when, where and how it was measured. */
export interface CacheEntry {
  kind: CacheKind
  file: string
  /** Baselines: which one (eager, compile); null for a file written without provenance. */
  baseline?: 'eager' | 'compile' | null
  task?: string | null
  device?: string | null
  device_name?: string | null
  median_ms?: number | null
  noisy?: boolean | null
  peak_bandwidth_gbs?: number | null
  peak_tflops?: Record<string, number> | null
  /** Seconds since the epoch, and seconds since then at listing time. */
  measured_at?: number | null
  age_s?: number | null
  host?: string | null
  driver?: string | null
  torch?: string | null
  others_busy_cores?: number | null
  note?: string
}

const scope = z
  .object({
    /** Only the baselines of this task file (an absolute path, as evaluated). */
    task: z.string().min(1).optional(),
    kinds: z
      .array(z.enum(['baselines', 'peaks', 'build']))
      .min(1)
      .optional(),
  })
  .strict()

export const cacheRoutes = {
  'cache.list': route<{ entries: CacheEntry[] }>()(scope),
  /** Removes the entries (default: baselines and peaks); the next evaluation measures them again. */
  'cache.clear': route<{ removed: string[] }>()(scope),
}
