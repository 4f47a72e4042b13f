import { useMemo } from 'react'
import type { Verdict } from '../../../../agents/contract/index.ts'
import { kernelTimes, latencyBox, profileUnit, type KernelTime } from '../../lib/profile-data.ts'
import { useStudio } from '../../store/index.ts'
import { EChart } from '../charts/EChart.tsx'
import { axisStyle, chartPalette } from '../charts/echarts.ts'

/** Kernels listed per side before the rest are summed as "other". */
const TOP_KERNELS = 8

function topKernels(kernels: KernelTime[]): KernelTime[] {
  if (kernels.length <= TOP_KERNELS) return kernels
  const rest = kernels.slice(TOP_KERNELS).reduce((sum, kernel) => sum + kernel.ms, 0)
  return [...kernels.slice(0, TOP_KERNELS), { name: `other (${kernels.length - TOP_KERNELS} kernels)`, ms: rest, calls: null }]
}

const shortName = (name: string) => (name.length > 48 ? `${name.slice(0, 45)}…` : name)

/** Time per kernel, eager against candidate, stacked per side so totals compare at a glance. */
export function KernelBreakdown({ verdict }: { verdict: Verdict }) {
  const theme = useStudio((state) => state.theme)
  const eager = useMemo(() => topKernels(kernelTimes(verdict, 'eager')), [verdict])
  const candidate = useMemo(() => topKernels(kernelTimes(verdict, 'candidate')), [verdict])
  const option = useMemo(() => {
    const palette = chartPalette(theme)
    const axis = axisStyle(palette)
    const names = [...new Set([...eager, ...candidate].map((kernel) => shortName(kernel.name)))]
    const byName = (list: KernelTime[], name: string) => list.find((kernel) => shortName(kernel.name) === name)?.ms ?? 0
    return {
      animation: false,
      grid: { left: 90, right: 24, top: 16, bottom: 44 },
      tooltip: { trigger: 'item' as const, valueFormatter: (value: unknown) => `${Number(value).toFixed(4)} ms` },
      xAxis: { type: 'value' as const, name: `${profileUnit(verdict) ?? 'time per forward'} (ms)`, nameLocation: 'middle' as const, nameGap: 28, ...axis },
      yAxis: { type: 'category' as const, data: ['eager', 'candidate'], ...axis },
      series: names.map((name, index) => ({
        name,
        type: 'bar' as const,
        stack: 'kernels',
        barWidth: '55%',
        itemStyle: { color: palette.series[index % palette.series.length], borderColor: palette.background, borderWidth: 1 },
        data: [byName(eager, name), byName(candidate, name)],
      })),
    }
  }, [eager, candidate, theme, verdict])
  if (eager.length === 0 && candidate.length === 0)
    return <p className="muted">No kernel breakdown: the candidate was not profiled (the harness's --profile).</p>
  return (
    <>
      <EChart option={option} label="Kernel time breakdown, eager against candidate" height={200} testId="kernel-breakdown" />
      <KernelLegendTable eager={eager} candidate={candidate} />
    </>
  )
}

function KernelLegendTable({ eager, candidate }: { eager: KernelTime[]; candidate: KernelTime[] }) {
  return (
    <div className="two-tables">
      {(
        [
          ['eager', eager],
          ['candidate', candidate],
        ] as const
      ).map(([title, list]) => (
        <table key={title} className="data-table compact">
          <caption>{title} kernels</caption>
          <thead>
            <tr>
              <th scope="col">kernel</th>
              <th scope="col">ms per forward</th>
              <th scope="col">calls per forward</th>
            </tr>
          </thead>
          <tbody>
            {list.map((kernel) => (
              <tr key={kernel.name}>
                <td className="mono wrap" title={kernel.name}>
                  {shortName(kernel.name)}
                </td>
                <td className="num">{kernel.ms.toFixed(4)}</td>
                <td className="num">{kernel.calls ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  )
}

/** The spread of timed calls per side: box at the quartiles, whiskers at min and max; noisy sides named. */
export function LatencySpread({ verdict }: { verdict: Verdict }) {
  const theme = useStudio((state) => state.theme)
  const timing = verdict.timing
  const sides = useMemo(
    () =>
      (
        [
          ['candidate', timing?.candidate],
          ['eager', timing?.eager],
          ['torch.compile', timing?.compile],
        ] as const
      )
        .map(([name, stats]) => ({ name, box: latencyBox(stats), noisy: stats?.noisy === true }))
        .filter((entry) => entry.box !== null),
    [timing],
  )
  const option = useMemo(() => {
    const palette = chartPalette(theme)
    const axis = axisStyle(palette)
    return {
      animation: false,
      grid: { left: 96, right: 24, top: 16, bottom: 44 },
      tooltip: { trigger: 'item' as const },
      xAxis: { type: 'value' as const, name: 'time per call (ms)', nameLocation: 'middle' as const, nameGap: 28, scale: true, ...axis },
      yAxis: { type: 'category' as const, data: sides.map((entry) => entry.name), ...axis },
      series: [{ type: 'boxplot' as const, data: sides.map((entry) => entry.box?.box), itemStyle: { color: palette.background, borderColor: palette.accent } }],
    }
  }, [sides, theme])
  if (sides.length === 0) return <p className="muted">No timing to spread: the candidate did not pass or ran interpreted.</p>
  const approximate = sides.some((entry) => entry.box?.source === 'approximate')
  const noisy = sides.filter((entry) => entry.noisy).map((entry) => entry.name)
  return (
    <>
      <EChart option={option} label="Latency spread per side" height={180} testId="latency-spread" />
      <p className="muted small" data-testid="latency-spread-note">
        {approximate
          ? "Box: the interquartile range's width centred on the median (this verdict predates reported quartiles); whiskers: min and max."
          : 'Box: 25th to 75th percentile of the timed calls, line at the median; whiskers: min and max.'}
        {noisy.length > 0 ? ` Too spread to trust the median: ${noisy.join(', ')}.` : ''}
      </p>
    </>
  )
}
