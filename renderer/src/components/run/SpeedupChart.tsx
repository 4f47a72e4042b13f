import { useMemo } from 'react'
import { useThrottled } from '../../lib/use-throttled.ts'
import { useStudio } from '../../store/index.ts'
import type { SpeedupPoint } from '../../store/run-model.ts'
import { EChart } from '../charts/EChart.tsx'
import { axisStyle, chartPalette, type ChartPalette } from '../charts/echarts.ts'

/** The chart follows a streaming run at a few hertz; each redraw rebuilds its series. */
const CHART_REDRAW_MS = 250

/** Speedup over eager and over torch.compile of each correct candidate, with the best so far. */
export function SpeedupChart({ runId }: { runId: string }) {
  const points = useThrottled(
    useStudio((state) => state.runModels[runId]?.speedups),
    CHART_REDRAW_MS,
  )
  const theme = useStudio((state) => state.theme)
  const selectCandidate = useStudio((state) => state.selectCandidate)
  const option = useMemo(() => speedupOption(points ?? [], chartPalette(theme)), [points, theme])
  const best = points?.at(-1)
  // A correct candidate without timing (Triton's interpreter on the CPU checks correctness only) is still correct.
  const untimed = useStudio((state) => {
    const candidates = Object.values(state.runModels[runId]?.candidates ?? {})
    const correct = candidates.find((track) => track.verdict?.correct)
    return correct
      ? `${correct.record.id} is correct · ${correct.verdict?.interpreted ? "not timed: Triton's interpreter checks correctness only" : 'not timed'}`
      : null
  })
  return (
    <section className="panel" aria-label="Speedup">
      <header className="panel-header">
        <h2>Speedup</h2>
        <span className="muted small" data-testid="best-speedup">
          {best
            ? `best ${formatSpeedup(best.bestEager)} over eager · ${formatSpeedup(best.bestCompile)} over torch.compile`
            : (untimed ?? 'no correct candidate yet')}
        </span>
      </header>
      <EChart
        option={option}
        label="Speedup of each correct candidate over eager and torch.compile, by order of verification, with the best so far"
        height={240}
        testId="speedup-chart"
        onClick={(params) => {
          const point = points?.[params.dataIndex ?? -1]
          if (point) selectCandidate(point.candidateId)
        }}
      />
    </section>
  )
}

export const formatSpeedup = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${value.toFixed(2)}×`)

function speedupOption(points: SpeedupPoint[], palette: ChartPalette) {
  const axis = axisStyle(palette)
  const [eagerColour, compileColour] = palette.series
  const index = points.map((_, position) => position + 1)
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 36, bottom: 44 },
    legend: { top: 4, textStyle: { color: palette.text, fontSize: 11 } },
    tooltip: { trigger: 'axis' as const, valueFormatter: (value: unknown) => (typeof value === 'number' ? `${value.toFixed(2)}×` : '—') },
    xAxis: {
      type: 'category' as const,
      data: index,
      name: 'correct candidate (in order verified)',
      nameLocation: 'middle' as const,
      nameGap: 26,
      ...axis,
      splitLine: { show: false },
    },
    yAxis: { type: 'value' as const, name: 'speedup (×)', nameLocation: 'middle' as const, nameGap: 40, scale: true, ...axis },
    series: [
      {
        name: 'vs eager',
        type: 'scatter' as const,
        symbolSize: 6,
        data: points.map((point) => point.eager),
        itemStyle: { color: eagerColour },
        markLine: {
          silent: true,
          symbol: 'none',
          data: [{ yAxis: 1 }],
          lineStyle: { color: palette.muted, type: 'dashed' as const },
          label: { formatter: '1× (eager)', color: palette.muted, fontSize: 10 },
        },
      },
      { name: 'vs torch.compile', type: 'scatter' as const, symbolSize: 6, data: points.map((point) => point.compile), itemStyle: { color: compileColour } },
      {
        name: 'best vs eager',
        type: 'line' as const,
        step: 'end' as const,
        showSymbol: false,
        data: points.map((point) => point.bestEager),
        lineStyle: { color: eagerColour, width: 2 },
        itemStyle: { color: eagerColour },
      },
      {
        name: 'best vs compile',
        type: 'line' as const,
        step: 'end' as const,
        showSymbol: false,
        data: points.map((point) => point.bestCompile),
        lineStyle: { color: compileColour, width: 2, type: 'dashed' as const },
        itemStyle: { color: compileColour },
      },
    ],
  }
}
