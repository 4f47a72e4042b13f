import type { Verdict } from '../../../../agents/contract/index.ts'
import { dominantKernel, ncuError, ncuKernels, type KernelMetrics } from '../../lib/profile-data.ts'
import { formatNumber } from '../run/VerdictDetails.tsx'

const ROWS: Array<{ key: keyof Omit<KernelMetrics, 'name'>; label: string; unit: string; better: 'lower' | 'higher' | null }> = [
  { key: 'durationMs', label: 'Duration', unit: 'ms', better: 'lower' },
  { key: 'dramThroughputPct', label: 'DRAM throughput', unit: '% of peak', better: null },
  { key: 'smThroughputPct', label: 'SM throughput', unit: '% of peak', better: null },
  { key: 'occupancyPct', label: 'Achieved occupancy', unit: '%', better: 'higher' },
  { key: 'registersPerThread', label: 'Registers', unit: 'per thread', better: null },
  { key: 'sharedMemoryBytes', label: 'Shared memory', unit: 'bytes per block', better: null },
]

/** Nsight Compute metrics of the candidate's heaviest kernel beside the baseline's, as ncu's baseline view does. */
export function MetricsComparison({ verdict }: { verdict: Verdict }) {
  const candidateKernels = ncuKernels(verdict, 'candidate')
  const baselineKernels = ncuKernels(verdict, 'eager')
  const candidate = dominantKernel(candidateKernels)
  const baseline = dominantKernel(baselineKernels)
  const error = ncuError(verdict)
  if (!candidate)
    return (
      <p className="muted">
        No Nsight Compute metrics{error ? `: ${error}` : ''}. They need an NVIDIA GPU and ncu on PATH (Toolchains shows whether it was found).
      </p>
    )
  return (
    <table className="data-table" data-testid="metrics-comparison">
      <caption>Heaviest kernel per side (Nsight Compute, --clock-control none)</caption>
      <thead>
        <tr>
          <th scope="col">metric</th>
          <th scope="col">
            candidate <span className="mono muted small">{candidate.name}</span>
          </th>
          <th scope="col">
            eager <span className="mono muted small">{baseline?.name ?? 'not profiled by ncu'}</span>
          </th>
          <th scope="col">change</th>
        </tr>
      </thead>
      <tbody>
        {ROWS.map((row) => {
          const mine = candidate[row.key] as number | null
          const theirs = baseline ? (baseline[row.key] as number | null) : null
          const delta = mine !== null && theirs !== null && theirs !== 0 ? (mine - theirs) / Math.abs(theirs) : null
          const good = delta === null || row.better === null ? '' : (row.better === 'lower') === delta < 0 ? 'delta-good' : 'delta-bad'
          return (
            <tr key={row.key}>
              <th scope="row">
                {row.label} <span className="muted small">({row.unit})</span>
              </th>
              <td className="num">{formatNumber(mine)}</td>
              <td className="num">{formatNumber(theirs)}</td>
              <td className={`num ${good}`}>{delta === null ? '—' : `${delta > 0 ? '+' : ''}${(delta * 100).toFixed(1)}%`}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
