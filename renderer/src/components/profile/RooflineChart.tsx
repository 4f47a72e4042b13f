import { useMemo } from 'react'
import type { Roofline } from '../../lib/profile-data.ts'
import { useStudio } from '../../store/index.ts'
import { EChart } from '../charts/EChart.tsx'
import { axisStyle, chartPalette, type ChartPalette } from '../charts/echarts.ts'

/** FLOP/s with an SI prefix, the way Nsight Compute labels its roofline. */
export function formatFlops(value: number): string {
  const units: Array<[number, string]> = [
    [1e15, 'PFLOP/s'],
    [1e12, 'TFLOP/s'],
    [1e9, 'GFLOP/s'],
    [1e6, 'MFLOP/s'],
  ]
  for (const [scale, unit] of units) if (value >= scale) return `${(value / scale).toPrecision(3)} ${unit}`
  return `${value.toPrecision(3)} FLOP/s`
}

/** Achieved FLOP/s against arithmetic intensity under the device's memory and compute roofs. */
export function RooflineChart({ data }: { data: Roofline }) {
  const theme = useStudio((state) => state.theme)
  const option = useMemo(() => rooflineOption(data, chartPalette(theme)), [data, theme])
  return (
    <EChart
      option={option}
      label="Roofline: achieved FLOP/s against arithmetic intensity for the candidate, eager and torch.compile"
      height={320}
      testId="roofline-chart"
    />
  )
}

function rooflineOption(data: Roofline, palette: ChartPalette) {
  const axis = axisStyle(palette)
  const intensities = data.points.map((point) => point.intensity)
  const ridge = data.peakFlopsPerSecond && data.peakBytesPerSecond ? data.peakFlopsPerSecond / data.peakBytesPerSecond : null
  const low = Math.min(...intensities, ridge ?? Infinity) / 8
  const high = Math.max(...intensities, ridge ?? 0) * 8
  const xMin = 10 ** Math.floor(Math.log10(Number.isFinite(low) && low > 0 ? low : 0.01))
  const xMax = 10 ** Math.ceil(Math.log10(high > 0 ? high : 100))
  const roof: Array<[number, number]> = []
  if (data.peakBytesPerSecond && data.peakFlopsPerSecond && ridge) {
    roof.push([xMin, xMin * data.peakBytesPerSecond])
    if (ridge > xMin && ridge < xMax) roof.push([ridge, data.peakFlopsPerSecond])
    roof.push([xMax, Math.min(xMax * data.peakBytesPerSecond, data.peakFlopsPerSecond)])
  }
  const colours: Record<string, string> = {
    candidate: palette.series[0] as string,
    eager: palette.series[1] as string,
    'torch.compile': palette.series[3] as string,
  }
  return {
    animation: false,
    grid: { left: 84, right: 24, top: 36, bottom: 52 },
    legend: { top: 4, textStyle: { color: palette.text, fontSize: 11 } },
    tooltip: {
      trigger: 'item' as const,
      formatter: (params: { seriesName: string; value: [number, number] }) =>
        `${params.seriesName}<br/>${params.value[0].toPrecision(3)} FLOP/byte · ${formatFlops(params.value[1])}`,
    },
    xAxis: { type: 'log' as const, name: 'arithmetic intensity (FLOP/byte)', nameLocation: 'middle' as const, nameGap: 30, min: xMin, max: xMax, ...axis },
    yAxis: {
      type: 'log' as const,
      name: 'achieved performance',
      nameLocation: 'middle' as const,
      nameGap: 68,
      ...axis,
      axisLabel: { ...axis.axisLabel, formatter: (value: number) => formatFlops(value) },
    },
    series: [
      ...(roof.length > 0
        ? [
            {
              name: 'device roofs (memory, compute)',
              type: 'line' as const,
              data: roof,
              showSymbol: false,
              lineStyle: { color: palette.muted, width: 2 },
              itemStyle: { color: palette.muted },
              silent: true,
            },
          ]
        : []),
      ...data.points.map((point) => ({
        name: point.label,
        type: 'scatter' as const,
        symbolSize: point.label === 'candidate' ? 14 : 10,
        data: [[point.intensity, point.flopsPerSecond]],
        itemStyle: { color: colours[point.label] ?? palette.accent },
        label: { show: true, formatter: point.label, position: 'right' as const, color: palette.text, fontSize: 11 },
      })),
    ],
  }
}

/** For tasks whose FLOPs are not counted (element-wise): achieved DRAM bandwidth per side against the peak. */
export function BandwidthChart({ peakGbs, sides }: { peakGbs: number | null; sides: Array<{ label: string; gbs: number }> }) {
  const theme = useStudio((state) => state.theme)
  const option = useMemo(() => {
    const palette = chartPalette(theme)
    const axis = axisStyle(palette)
    return {
      animation: false,
      grid: { left: 96, right: 40, top: 16, bottom: 48 },
      tooltip: { trigger: 'item' as const, valueFormatter: (value: unknown) => `${Number(value).toPrecision(3)} GB/s` },
      xAxis: {
        type: 'value' as const,
        name: "achieved bandwidth at the task's minimum bytes (GB/s)",
        nameLocation: 'middle' as const,
        nameGap: 28,
        max: peakGbs ? Math.max(peakGbs, ...sides.map((side) => side.gbs)) * 1.05 : undefined,
        ...axis,
      },
      yAxis: { type: 'category' as const, data: sides.map((side) => side.label), ...axis },
      series: [
        {
          type: 'bar' as const,
          barWidth: '50%',
          data: sides.map((side, index) => ({ value: side.gbs, itemStyle: { color: palette.series[index === 0 ? 0 : index === 1 ? 1 : 3] } })),
          markLine: peakGbs
            ? {
                silent: true,
                symbol: 'none',
                data: [{ xAxis: peakGbs }],
                lineStyle: { color: palette.bad, type: 'dashed' as const },
                label: { formatter: `peak ${peakGbs} GB/s`, color: palette.muted, fontSize: 10 },
              }
            : undefined,
        },
      ],
    }
  }, [peakGbs, sides, theme])
  return <EChart option={option} label="Achieved bandwidth per side against the device's peak" height={200} testId="bandwidth-chart" />
}
