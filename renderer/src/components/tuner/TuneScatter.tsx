import { useMemo, useState } from 'react'
import type { EvaluationRecord, TuneSession } from '../../../../agents/contract/index.ts'
import { useStudio } from '../../store/index.ts'
import { EChart } from '../charts/EChart.tsx'
import { axisStyle, chartPalette } from '../charts/echarts.ts'

const ORDER = '(evaluation order)'
/** Past this spread between the slowest and fastest configuration, latency is drawn on a log axis. */
const LOG_SCALE_RATIO = 20
export const describeParams = (record: Pick<EvaluationRecord, 'params'>) =>
  Object.entries(record.params)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ')

/**
 * Configuration against latency: each passing configuration a point (x a chosen tunable or the
 * evaluation order, y median latency), failures as crosses along the top, the best-so-far line.
 */
export function TuneScatter({ session }: { session: TuneSession }) {
  const theme = useStudio((state) => state.theme)
  const [axis, setAxis] = useState(ORDER)
  const option = useMemo(() => {
    const palette = chartPalette(theme)
    // Confirmation re-timings are shown in their own table, not as points of the search.
    const searched = session.records.filter((record) => record.phase !== 'confirm')
    const passed = searched.filter((record) => record.latencyMs !== null)
    const failed = searched.filter((record) => record.status === 'failed' || record.status === 'violates')
    const latencies = passed.map((record) => record.latencyMs! * 1000)
    const top = Math.max(0, ...latencies) * 1.08 || 1
    const logScale = latencies.length > 1 && Math.max(...latencies) / Math.min(...latencies) > LOG_SCALE_RATIO
    const parameter = session.space.parameters.find((item) => item.name === axis)
    const x = (record: EvaluationRecord) => (parameter ? parameter.values.indexOf(record.params[parameter.name]!) : record.index + 1)
    let best = Infinity
    const bestLine = passed.map((record) => [record.index + 1, (best = Math.min(best, record.latencyMs! * 1000))])
    return {
      backgroundColor: 'transparent',
      animation: false,
      grid: { left: 64, right: 16, top: 24, bottom: 44 },
      tooltip: { trigger: 'item', formatter: (item: { data: { record: EvaluationRecord } }) => tooltip(item.data.record) },
      xAxis: parameter
        ? { type: 'category', data: parameter.values.map(String), name: parameter.name, nameLocation: 'middle', nameGap: 28, ...axisStyle(palette) }
        : { type: 'value', name: 'evaluation', nameLocation: 'middle', nameGap: 28, minInterval: 1, ...axisStyle(palette) },
      // Noisy or pathological configurations can be 100x slower than the best; a log axis keeps both readable.
      yAxis: logScale
        ? { type: 'log', name: 'median latency (µs, log scale)', ...axisStyle(palette) }
        : { type: 'value', name: 'median latency (µs)', min: 0, ...axisStyle(palette) },
      series: [
        {
          name: 'passed',
          type: 'scatter',
          symbolSize: 8,
          itemStyle: { color: palette.accent },
          data: passed.map((record) => ({ value: [x(record), record.latencyMs! * 1000], record })),
        },
        {
          name: 'failed',
          type: 'scatter',
          symbol: 'path://M0,0L10,10M10,0L0,10',
          symbolSize: 9,
          itemStyle: { color: palette.bad, borderColor: palette.bad, borderWidth: 2 },
          data: failed.map((record) => ({ value: [x(record), top], record })),
        },
        ...(parameter
          ? []
          : [
              {
                name: 'best so far',
                type: 'line',
                step: 'end',
                showSymbol: false,
                lineStyle: { color: palette.ok },
                data: bestLine.map((value) => ({ value, record: null })),
                tooltip: { show: false },
              },
            ]),
      ],
    }
  }, [session, theme, axis])
  return (
    <div className="panel">
      <div className="panel-header">
        <h2>Configurations and latency</h2>
        <label className="small">
          x axis{' '}
          <select value={axis} onChange={(event) => setAxis(event.target.value)} aria-label="x axis">
            {[ORDER, ...session.space.parameters.map((item) => item.name)].map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <ul className="legend">
          <li>
            <span className="swatch outcome-running" /> passed
          </li>
          <li>
            <span className="swatch outcome-fail" /> failed (drawn at the top)
          </li>
          {axis === ORDER ? (
            <li>
              <span className="swatch outcome-ok" /> best so far
            </li>
          ) : null}
        </ul>
      </div>
      {session.strategy.timing ? (
        <EChart option={option as never} label={`Median latency of ${session.records.length} evaluated configurations`} testId="tune-scatter" />
      ) : (
        <p className="muted">Correctness only on {session.deviceFamily}: configurations are checked, not timed, so there is nothing to plot.</p>
      )}
    </div>
  )
}

function tooltip(record: EvaluationRecord | null): string {
  if (!record) return ''
  const outcome = record.latencyMs !== null ? `${(record.latencyMs * 1000).toFixed(2)} µs` : `${record.status}: ${record.error?.message ?? ''}`
  const text = `#${record.index + 1} ${describeParams(record)}\n${outcome}`
  return text.replace(/[&<>]/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[character]!).replace(/\n/g, '<br/>')
}
