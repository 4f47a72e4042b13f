import { useEffect, useRef } from 'react'
import { echarts, type ChartOption } from './echarts.ts'

interface EChartProps {
  option: ChartOption
  /** What the chart shows, for screen readers; the data is also in a table or text nearby. */
  label: string
  height?: number | string
  onClick?: (params: { dataType?: string; data?: unknown; seriesName?: string; dataIndex?: number }) => void
  testId?: string
}

/**
 * One ECharts instance per mounted chart: created once, given new options as the data changes
 * (ECharts diffs them), resized with its box, and disposed on unmount.
 */
export function EChart({ option, label, height = 260, onClick, testId }: EChartProps) {
  const host = useRef<HTMLDivElement>(null)
  const chart = useRef<echarts.ECharts | null>(null)
  const clickHandler = useRef(onClick)
  clickHandler.current = onClick

  useEffect(() => {
    if (!host.current) return
    const instance = echarts.init(host.current, null, { renderer: 'canvas' })
    chart.current = instance
    instance.on('click', (params) => clickHandler.current?.(params as never))
    const observer = new ResizeObserver(() => instance.resize())
    observer.observe(host.current)
    return () => {
      observer.disconnect()
      instance.dispose()
      chart.current = null
    }
  }, [])

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true, lazyUpdate: true })
  }, [option])

  return <div className="chart" ref={host} role="img" aria-label={label} style={{ height }} data-testid={testId} />
}
