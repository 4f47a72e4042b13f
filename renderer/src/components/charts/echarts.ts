// Only the ECharts parts the studio draws with are registered, to keep the bundle lean.
import { BarChart, BoxplotChart, GraphChart, LineChart, ScatterChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([
  BarChart,
  BoxplotChart,
  GraphChart,
  LineChart,
  ScatterChart,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
])

export { echarts }
export type ChartOption = Parameters<echarts.ECharts['setOption']>[0]

/** Colours that follow the theme; chart text must stay readable on both backgrounds. */
export interface ChartPalette {
  text: string
  muted: string
  grid: string
  background: string
  accent: string
  ok: string
  bad: string
  warn: string
  series: string[]
}

export function chartPalette(theme: 'dark' | 'light'): ChartPalette {
  return theme === 'dark'
    ? {
        text: '#dfe3ea',
        muted: '#8b93a1',
        grid: '#2c313a',
        background: '#1e2128',
        accent: '#5aa9ff',
        ok: '#4cc38a',
        bad: '#f0616d',
        warn: '#e5b454',
        series: ['#5aa9ff', '#e5b454', '#4cc38a', '#c58af9', '#f0616d', '#4fd1c5'],
      }
    : {
        text: '#1d2129',
        muted: '#5d6675',
        grid: '#d5d9e0',
        background: '#ffffff',
        accent: '#1d6fd8',
        ok: '#1d8a55',
        bad: '#c9303d',
        warn: '#9a6a00',
        series: ['#1d6fd8', '#9a6a00', '#1d8a55', '#7e3fc4', '#c9303d', '#0f8a80'],
      }
}

/** Axis styling shared by every cartesian chart: named axes with units, readable labels. */
export function axisStyle(palette: ChartPalette) {
  return {
    nameTextStyle: { color: palette.muted, fontSize: 12 },
    axisLabel: { color: palette.muted, fontSize: 11 },
    axisLine: { lineStyle: { color: palette.grid } },
    splitLine: { lineStyle: { color: palette.grid, opacity: 0.6 } },
  }
}
