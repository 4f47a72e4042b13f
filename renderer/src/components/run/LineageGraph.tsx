import { useMemo } from 'react'
import { useThrottled } from '../../lib/use-throttled.ts'
import { useStudio } from '../../store/index.ts'
import type { CandidateTrack } from '../../store/run-model.ts'
import { EChart } from '../charts/EChart.tsx'
import { chartPalette, type ChartPalette } from '../charts/echarts.ts'

/** A graph of hundreds of nodes is rebuilt at most this often while a run streams. */
const LINEAGE_REDRAW_MS = 1_000
/** Above this many candidates labels are left to the tooltip; they would overlap. */
const LABEL_LIMIT = 40
/** How much of the gap to the next island's lane the candidates of one step may fill. */
const LANE_SPREAD = 0.6

/**
 * The lineage of a search run: candidates as nodes placed by step (x) and island (y), parent
 * edges solid, inspiration edges dashed, colour by speedup over eager (grey: not correct).
 */
export function LineageGraph({ runId }: { runId: string }) {
  const order = useStudio((state) => state.runModels[runId]?.candidateOrder)
  const candidates = useThrottled(
    useStudio((state) => state.runModels[runId]?.candidates),
    LINEAGE_REDRAW_MS,
  )
  const selectedId = useStudio((state) => state.selectedCandidateId)
  const selectCandidate = useStudio((state) => state.selectCandidate)
  const theme = useStudio((state) => state.theme)
  const option = useMemo(() => lineageOption(order ?? [], candidates ?? {}, selectedId, chartPalette(theme)), [order, candidates, selectedId, theme])
  if (!order || order.length === 0) return null
  return (
    <section className="panel" aria-label="Lineage graph">
      <header className="panel-header">
        <h2>Lineage</h2>
        <span className="muted small">solid: parent · dashed: inspiration · colour: speedup over eager</span>
      </header>
      <EChart
        option={option}
        label={`Lineage of ${order.length} candidates`}
        height={300}
        testId="lineage-graph"
        onClick={(params) => {
          const data = params.data as { id?: string } | undefined
          if (params.dataType === 'node' && data?.id) selectCandidate(data.id)
        }}
      />
    </section>
  )
}

function speedupOf(track: CandidateTrack): number | null {
  return track.verdict?.status === 'passed' ? (track.verdict.timing?.speedup_vs_eager ?? null) : null
}

export function lineageOption(allIds: string[], candidates: Record<string, CandidateTrack>, selectedId: string | null, palette: ChartPalette) {
  // The candidates map is throttled and may trail the order by a moment.
  const order = allIds.filter((id) => candidates[id] !== undefined)
  const islands = [...new Set(order.map((id) => candidates[id]?.record.island ?? 0))].sort((a, b) => a - b)
  const perColumn = new Map<string, number>()
  const placed = order.map((id, index) => {
    const track = candidates[id] as CandidateTrack
    const island = track.record.island ?? 0
    const column = track.record.step ?? index
    const key = `${island}:${column}`
    const stack = perColumn.get(key) ?? 0
    perColumn.set(key, stack + 1)
    return { id, track, island, column, stack }
  })
  // Candidates of one island and step share a lane; they are spread within it, never into the next lane.
  const deepest = Math.max(1, ...perColumn.values())
  const nodes = placed.map(({ id, track, island, column, stack }) => {
    const speedup = speedupOf(track)
    return {
      id,
      name: id,
      // On value axes (cartesian2d), not the graph's own fit-to-box: circles stay round and edges stay inside the plot.
      value: [column, islands.indexOf(island) + (stack / deepest) * LANE_SPREAD, speedup ?? -1],
      symbolSize: id === selectedId ? 18 : 11,
      itemStyle: speedup === null ? { color: palette.muted, opacity: 0.7 } : { borderColor: id === selectedId ? palette.text : 'transparent', borderWidth: 2 },
      label: { show: order.length <= LABEL_LIMIT || id === selectedId, color: palette.text, fontSize: 10, position: 'top' as const },
      tooltip: {
        formatter: `${id} · ${track.record.origin} · island ${island}<br/>${track.verdict ? track.verdict.status : track.record.status}${speedup !== null ? ` · ${speedup.toFixed(2)}× over eager` : ''}`,
      },
    }
  })
  const known = new Set(order)
  const links = order.flatMap((id) => {
    const record = candidates[id]?.record
    if (!record) return []
    const parent =
      record.parentId && known.has(record.parentId) ? [{ source: record.parentId, target: id, lineStyle: { type: 'solid' as const, opacity: 0.7 } }] : []
    const inspirations = record.inspirationIds
      .filter((source) => known.has(source))
      .map((source) => ({ source, target: id, lineStyle: { type: 'dashed' as const, opacity: 0.45 } }))
    return [...parent, ...inspirations]
  })
  const speedups = nodes.map((node) => node.value[2] as number).filter((value) => value >= 0)
  const lastStep = Math.max(1, ...placed.map((node) => node.column))
  const axisLabel = { color: palette.muted, fontSize: 10 }
  return {
    animation: false,
    tooltip: { trigger: 'item' as const },
    grid: { top: 16, bottom: 52, left: 64, right: 20 },
    xAxis: {
      type: 'value' as const,
      name: 'step',
      nameLocation: 'middle' as const,
      nameGap: 22,
      nameTextStyle: axisLabel,
      min: -0.5,
      max: lastStep + 0.5,
      minInterval: 1,
      axisLabel: { ...axisLabel, formatter: (value: number) => (Number.isInteger(value) ? String(value) : '') },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value' as const,
      inverse: true,
      min: -0.5,
      max: islands.length - 0.5 + LANE_SPREAD,
      interval: 1,
      axisLabel: { ...axisLabel, formatter: (value: number) => (Number.isInteger(value) && islands[value] !== undefined ? `island ${islands[value]}` : '') },
      splitLine: { lineStyle: { color: palette.muted, opacity: 0.15 } },
    },
    visualMap: {
      type: 'continuous' as const,
      min: 0,
      max: Math.max(2, ...speedups),
      dimension: 2,
      seriesIndex: 0,
      text: ['faster', 'slower'],
      textStyle: { color: palette.muted, fontSize: 11 },
      inRange: { color: [palette.bad, palette.warn, palette.ok] },
      outOfRange: { color: palette.muted },
      orient: 'horizontal' as const,
      left: 'right' as const,
      bottom: 0,
      itemHeight: 120,
      calculable: false,
      formatter: (value: number) => `${value.toFixed(1)}×`,
    },
    series: [
      {
        type: 'graph' as const,
        coordinateSystem: 'cartesian2d' as const,
        data: nodes,
        links,
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: 6,
        lineStyle: { color: palette.muted, width: 1, curveness: 0.15 },
        emphasis: { focus: 'adjacency' as const },
      },
    ],
  }
}
