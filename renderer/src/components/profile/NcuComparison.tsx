import { useMemo } from 'react'
import type { NcuSummary } from '../../lib/ncu-view.ts'
import { useStudio } from '../../store/index.ts'
import { EChart } from '../charts/EChart.tsx'
import { axisStyle, chartPalette } from '../charts/echarts.ts'

/** Stall reasons drawn by name; the rest are summed as "other", so each has its own palette colour. */
const SHOWN_STALLS = 5

const percent = (value: number | null) => (value === null ? '—' : `${value.toFixed(1)}%`)
const megabytes = (value: number | null) => (value === null ? '—' : `${(value / 1e6).toFixed(1)} MB`)

function useAxes() {
  const theme = useStudio((state) => state.theme)
  return useMemo(() => {
    const palette = chartPalette(theme)
    return { palette, axis: axisStyle(palette) }
  }, [theme])
}

/** Speed of light per side, the way Nsight Compute's first section reads: how close each roof is. */
function SolBars({ left, right }: { left: NcuSummary; right: NcuSummary }) {
  const { palette, axis } = useAxes()
  const option = useMemo(() => {
    const rows: Array<[string, keyof NcuSummary]> = [
      ['Memory SOL', 'memoryPct'],
      ['Compute (SM) SOL', 'computePct'],
      ['DRAM throughput', 'dramPct'],
      ['Achieved occupancy', 'occupancyPct'],
      ['Tensor pipes', 'tensorPct'],
    ]
    return {
      animation: false,
      legend: { top: 0, textStyle: { color: palette.text } },
      grid: { left: 130, right: 24, top: 28, bottom: 36 },
      tooltip: {
        trigger: 'axis' as const,
        valueFormatter: (value: unknown) => (value === null || value === undefined ? 'not measured' : `${Number(value).toFixed(1)}%`),
      },
      xAxis: { type: 'value' as const, max: 100, name: '% of peak', nameLocation: 'middle' as const, nameGap: 24, ...axis },
      yAxis: { type: 'category' as const, data: rows.map(([name]) => name).reverse(), ...axis },
      series: [left, right].map((side, index) => ({
        name: side.label,
        type: 'bar' as const,
        barGap: '10%',
        itemStyle: { color: palette.series[index] },
        data: rows.map(([, key]) => side[key] as number | null).reverse(),
      })),
    }
  }, [left, right, palette, axis])
  return <EChart option={option} label={`Speed of light, ${left.label} against ${right.label}`} height={220} testId="sol-bars" />
}

/** Where warps wait: each side's stall reasons as shares of all stalled warps. */
function StallBreakdown({ left, right }: { left: NcuSummary; right: NcuSummary }) {
  const { palette, axis } = useAxes()
  const option = useMemo(() => {
    const total = (side: NcuSummary) => Object.values(side.stalls).reduce((sum, value) => sum + value, 0) || 1
    const ranked = Object.entries({ ...left.stalls }).map(([reason]) => reason)
    const reasons = [...new Set([...ranked, ...Object.keys(right.stalls)])].sort(
      (a, b) =>
        (left.stalls[b] ?? 0) / total(left) +
        (right.stalls[b] ?? 0) / total(right) -
        (left.stalls[a] ?? 0) / total(left) -
        (right.stalls[a] ?? 0) / total(right),
    )
    const shown = reasons.slice(0, SHOWN_STALLS)
    const share = (side: NcuSummary, reason: string) => ((side.stalls[reason] ?? 0) / total(side)) * 100
    const other = (side: NcuSummary) => reasons.slice(SHOWN_STALLS).reduce((sum, reason) => sum + share(side, reason), 0)
    return {
      animation: false,
      legend: { top: 0, textStyle: { color: palette.text }, type: 'scroll' as const },
      grid: { left: 130, right: 24, top: 32, bottom: 36 },
      tooltip: { trigger: 'item' as const, valueFormatter: (value: unknown) => `${Number(value).toFixed(1)}% of stalled warps` },
      xAxis: { type: 'value' as const, max: 100, name: '% of stalled warps', nameLocation: 'middle' as const, nameGap: 24, ...axis },
      yAxis: { type: 'category' as const, data: [right.label, left.label], ...axis },
      series: [...shown, ...(reasons.length > SHOWN_STALLS ? ['other'] : [])].map((reason, index) => ({
        name: reason.replace(/_/g, ' '),
        type: 'bar' as const,
        stack: 'stalls',
        itemStyle: { color: palette.series[index % palette.series.length], borderColor: palette.background, borderWidth: 1 },
        data: [right, left].map((side) => (reason === 'other' ? other(side) : share(side, reason))),
      })),
    }
  }, [left, right, palette, axis])
  if (Object.keys(left.stalls).length === 0 && Object.keys(right.stalls).length === 0) return <p className="muted">No warp-state metrics in this ncu run.</p>
  return <EChart option={option} label={`Warp stall reasons, ${left.label} against ${right.label}`} height={170} testId="stall-breakdown" />
}

/** DRAM traffic per side, with the cache hit rates that explain it. */
function MemoryChart({ left, right }: { left: NcuSummary; right: NcuSummary }) {
  const { palette, axis } = useAxes()
  const option = useMemo(
    () => ({
      animation: false,
      legend: { top: 0, textStyle: { color: palette.text } },
      grid: { left: 130, right: 24, top: 28, bottom: 36 },
      tooltip: { trigger: 'axis' as const, valueFormatter: (value: unknown) => `${Number(value).toFixed(2)} MB` },
      xAxis: { type: 'value' as const, name: 'MB per forward', nameLocation: 'middle' as const, nameGap: 24, ...axis },
      yAxis: { type: 'category' as const, data: ['DRAM write', 'DRAM read'], ...axis },
      series: [left, right].map((side, index) => ({
        name: side.label,
        type: 'bar' as const,
        itemStyle: { color: palette.series[index] },
        data: [(side.dramWriteBytes ?? 0) / 1e6, (side.dramReadBytes ?? 0) / 1e6],
      })),
    }),
    [left, right, palette, axis],
  )
  return <EChart option={option} label={`DRAM traffic, ${left.label} against ${right.label}`} height={150} testId="memory-chart" />
}

/** Candidate against the eager baseline (or another candidate), as Nsight Compute's baseline comparison shows it. */
export function NcuComparison({ left, right }: { left: NcuSummary; right: NcuSummary }) {
  const rows: Array<[string, (side: NcuSummary) => string]> = [
    ['GPU time', (side) => `${(side.durationMs * 1000).toFixed(1)} µs in ${side.kernelCount} kernel${side.kernelCount === 1 ? '' : 's'}`],
    ['Achieved / theoretical occupancy', (side) => `${percent(side.occupancyPct)} / ${percent(side.theoreticalOccupancyPct)}`],
    ['Occupancy limited by', (side) => side.limiter?.replace('_', ' ') ?? '—'],
    ['L1 / L2 hit rate', (side) => `${percent(side.l1HitPct)} / ${percent(side.l2HitPct)}`],
    ['DRAM read / write', (side) => `${megabytes(side.dramReadBytes)} / ${megabytes(side.dramWriteBytes)}`],
    ['Registers (heaviest kernel), spills', (side) => `${side.registers ?? '—'}, ${side.spills ?? '—'}`],
  ]
  return (
    <div className="ncu-comparison" data-testid="ncu-comparison">
      <SolBars left={left} right={right} />
      <StallBreakdown left={left} right={right} />
      <MemoryChart left={left} right={right} />
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">metric</th>
            <th scope="col">{left.label}</th>
            <th scope="col">{right.label}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, format]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td className="num">{format(left)}</td>
              <td className="num">{format(right)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {left.collectionS !== null ? (
        <p className="muted small">
          ncu collection took {left.collectionS.toFixed(1)} s for {left.label} (one replayed pass per kernel, clocks as the card has them).
        </p>
      ) : null}
    </div>
  )
}
