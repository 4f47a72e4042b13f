import { useMemo } from 'react'
import type { BenchRow } from '../../../../agents/contract/index.ts'
import { fastPCurve } from '../../lib/fast-p.ts'
import { useStudio } from '../../store/index.ts'
import { EChart } from '../charts/EChart.tsx'
import { axisStyle, chartPalette } from '../charts/echarts.ts'

/** fast_p against p, over eager and over torch.compile: KernelBench's headline curve. */
export function FastPChart({ rows }: { rows: BenchRow[] }) {
  const theme = useStudio((state) => state.theme)
  const option = useMemo(() => {
    const palette = chartPalette(theme)
    const axis = axisStyle(palette)
    return {
      animation: false,
      grid: { left: 60, right: 20, top: 36, bottom: 48 },
      legend: { top: 4, textStyle: { color: palette.text, fontSize: 11 } },
      tooltip: { trigger: 'axis' as const, valueFormatter: (value: unknown) => `${(Number(value) * 100).toFixed(0)}%` },
      xAxis: { type: 'value' as const, name: 'speedup threshold p (×)', nameLocation: 'middle' as const, nameGap: 28, min: 0, ...axis },
      yAxis: {
        type: 'value' as const,
        name: 'fast_p (share of tasks)',
        nameLocation: 'middle' as const,
        nameGap: 44,
        min: 0,
        max: 1,
        ...axis,
        axisLabel: { ...axis.axisLabel, formatter: (value: number) => `${Math.round(value * 100)}%` },
      },
      series: [
        {
          name: 'over eager',
          type: 'line' as const,
          step: 'end' as const,
          showSymbol: false,
          data: fastPCurve(rows, 'eager'),
          lineStyle: { color: palette.series[0], width: 2 },
          itemStyle: { color: palette.series[0] },
          markLine: {
            silent: true,
            symbol: 'none',
            data: [{ xAxis: 1 }],
            lineStyle: { color: palette.muted, type: 'dashed' as const },
            label: { formatter: 'p = 1', color: palette.muted, fontSize: 10 },
          },
        },
        {
          name: 'over torch.compile',
          type: 'line' as const,
          step: 'end' as const,
          showSymbol: false,
          data: fastPCurve(rows, 'compile'),
          lineStyle: { color: palette.series[1], width: 2 },
          itemStyle: { color: palette.series[1] },
        },
      ],
    }
  }, [rows, theme])
  return <EChart option={option} label="fast_p curve over eager and torch.compile" height={260} testId="fast-p-chart" />
}
