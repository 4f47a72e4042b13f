import { useMemo } from 'react'
import type { ModelPatchReport, ModelReport } from '../../../../agents/contract/index.ts'
import { abRows, moduleBars, topWithRest } from '../../lib/model-data.ts'
import { useStudio } from '../../store/index.ts'
import { EChart } from '../charts/EChart.tsx'
import { axisStyle, chartPalette, type ChartOption } from '../charts/echarts.ts'

function barOption(bars: Array<{ label: string; ms: number }>, axisName: string, color: string, theme: 'dark' | 'light'): ChartOption {
  const palette = chartPalette(theme)
  const reversed = [...bars].reverse()
  return {
    grid: { left: 8, right: 24, top: 8, bottom: 28, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (value: unknown) => `${Number(value).toPrecision(4)} ms` },
    xAxis: { type: 'value', name: axisName, nameLocation: 'middle', nameGap: 22, ...axisStyle(palette) },
    yAxis: { type: 'category', data: reversed.map((bar) => bar.label), ...axisStyle(palette) },
    series: [{ type: 'bar', data: reversed.map((bar) => bar.ms), itemStyle: { color } }],
  }
}

/** Time per op and per module of the model's eager forward. */
export function BreakdownCharts({ report }: { report: ModelReport }) {
  const theme = useStudio((state) => state.theme)
  const palette = chartPalette(theme)
  const ops = useMemo(
    () =>
      barOption(
        topWithRest(
          report.eager.ops,
          (op) => op.ms,
          (op) => op.op,
          10,
        ),
        'ms per forward',
        palette.series[0]!,
        theme,
      ),
    [report, theme, palette],
  )
  const modules = useMemo(() => barOption(moduleBars(report), 'ms per forward (inclusive)', palette.series[1]!, theme), [report, theme, palette])
  return (
    <div className="chart-pair">
      <figure>
        <figcaption>Time per op ({report.eager.time_basis})</figcaption>
        <EChart option={ops} label="time per aten op" testId="model-ops-chart" height={280} />
      </figure>
      <figure>
        <figcaption>Time per module</figcaption>
        <EChart option={modules} label="time per module path" testId="model-modules-chart" height={280} />
      </figure>
    </div>
  )
}

/** Each region's measured time split into its floor and the time a kernel could save. */
export function RegionChart({ report }: { report: ModelReport }) {
  const theme = useStudio((state) => state.theme)
  const option = useMemo((): ChartOption => {
    const palette = chartPalette(theme)
    const tasks = report.tasks.slice(0, 12).reverse()
    return {
      grid: { left: 8, right: 24, top: 28, bottom: 28, containLabel: true },
      legend: { top: 0, textStyle: { color: palette.muted } },
      tooltip: { trigger: 'axis', valueFormatter: (value: unknown) => `${Number(value).toPrecision(4)} ms` },
      xAxis: { type: 'value', name: 'ms per forward', nameLocation: 'middle', nameGap: 22, ...axisStyle(palette) },
      yAxis: { type: 'category', data: tasks.map((task) => `${task.id} ${task.region.label}`), ...axisStyle(palette) },
      series: [
        { name: 'floor (device peaks)', type: 'bar', stack: 'time', data: tasks.map((task) => task.floor_ms), itemStyle: { color: palette.muted } },
        { name: 'a kernel could save', type: 'bar', stack: 'time', data: tasks.map((task) => task.savings_ms), itemStyle: { color: palette.accent } },
      ],
    }
  }, [report, theme])
  return (
    <EChart
      option={option}
      label="regions ranked by the time a kernel could save"
      testId="model-regions-chart"
      height={Math.max(180, 28 * Math.min(report.tasks.length, 12) + 70)}
    />
  )
}

/** Median latency of each side of the A/B for one input set. */
export function AbChart({ set }: { set: NonNullable<ModelPatchReport['sets']>[number] }) {
  const theme = useStudio((state) => state.theme)
  const option = useMemo((): ChartOption => {
    const palette = chartPalette(theme)
    const rows = abRows(set).filter((row) => row.median_ms !== undefined)
    return {
      grid: { left: 8, right: 24, top: 8, bottom: 28, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: (value: unknown) => `${Number(value).toPrecision(4)} ms` },
      xAxis: { type: 'category', data: rows.map((row) => row.label), ...axisStyle(palette) },
      yAxis: { type: 'value', name: 'median ms', ...axisStyle(palette) },
      series: [
        {
          type: 'bar',
          data: rows.map((row) => ({ value: row.median_ms, itemStyle: { color: row.side.startsWith('patched') ? palette.ok : palette.series[0] } })),
        },
      ],
    }
  }, [set, theme])
  return <EChart option={option} label="end-to-end latency per side" testId="model-ab-chart" height={220} />
}
