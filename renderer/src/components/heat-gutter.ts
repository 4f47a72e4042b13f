import { gutter, GutterMarker } from '@codemirror/view'
import type { Extension } from '@codemirror/state'

/** One line's share of ncu's sampled warp stalls. */
export interface HeatMark {
  line: number
  share: number
  topStall: string | null
}

/** A bar whose width and colour follow the line's share of stall samples, with the share written out. */
class HeatMarker extends GutterMarker {
  constructor(
    private readonly mark: HeatMark,
    private readonly hottest: number,
  ) {
    super()
  }

  override eq(other: HeatMarker): boolean {
    return other.mark.line === this.mark.line && other.mark.share === this.mark.share && other.hottest === this.hottest
  }

  override toDOM(): Node {
    const element = document.createElement('span')
    const relative = this.hottest > 0 ? this.mark.share / this.hottest : 0
    element.className = 'cm-heat-mark'
    element.style.setProperty('--heat', relative.toFixed(3))
    element.textContent = `${(this.mark.share * 100).toFixed(0)}%`
    element.title = `line ${this.mark.line}: ${(this.mark.share * 100).toFixed(1)}% of stall samples${this.mark.topStall ? `, mostly ${this.mark.topStall.replace(/_/g, ' ')}` : ''}`
    element.setAttribute('data-line', String(this.mark.line))
    return element
  }
}

/** A CodeMirror gutter that shows, per source line, its share of the kernel's stall samples. */
export function heatGutter(marks: HeatMark[]): Extension {
  const byLine = new Map(marks.map((mark) => [mark.line, mark]))
  const hottest = marks.reduce((max, mark) => Math.max(max, mark.share), 0)
  return gutter({
    class: 'cm-heat-gutter',
    lineMarker(view, line) {
      const mark = byLine.get(view.state.doc.lineAt(line.from).number)
      return mark ? new HeatMarker(mark, hottest) : null
    },
    initialSpacer: () => new HeatMarker({ line: 0, share: 1, topStall: null }, 1),
  })
}
