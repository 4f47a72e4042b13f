import { useStudio } from '../store/index.ts'
import type { ViewName } from '../store/ui-slice.ts'

interface Item {
  view: ViewName
  label: string
  hint: string
  /** Sub-items are indented and shown only when there is something to show. */
  nested?: boolean
}

const ITEMS: Item[] = [
  { view: 'welcome', label: 'Start here', hint: 'a Python environment, the sample replays, a model' },
  { view: 'tasks', label: 'Tasks', hint: 'KernelBench-format tasks, files and checkouts' },
  { view: 'new-run', label: 'New run', hint: 'start a generate-verify-tune run' },
  { view: 'runs', label: 'Runs', hint: 'agent runs, live and past' },
  { view: 'run', label: 'Run', hint: 'the open run', nested: true },
  { view: 'profile', label: 'Profile', hint: 'the open candidate against its baselines', nested: true },
  { view: 'compare', label: 'Compare', hint: 'two candidates side by side: code, verdict, timing', nested: true },
  { view: 'migrate', label: 'Migrate', hint: 'port a kernel to another DSL' },
  { view: 'tune', label: 'Tune', hint: "search a kernel's declared parameters, no model needed" },
  { view: 'benchmarks', label: 'Benchmarks', hint: 'batches of tasks, fast_p and geometric means' },
  { view: 'model', label: 'Model', hint: 'your PyTorch model: where its time goes, tasks from it, winners patched back, A/B' },
  { view: 'toolchains', label: 'Toolchains', hint: 'Python, torch, compilers, profilers' },
  { view: 'settings', label: 'Settings', hint: 'models, providers, hosts, theme' },
]

export function Nav() {
  const view = useStudio((state) => state.view)
  const setView = useStudio((state) => state.setView)
  const setOverlay = useStudio((state) => state.setOverlay)
  const hasRun = useStudio((state) => state.selectedRunId !== null)
  const hasCandidate = useStudio((state) => state.selectedCandidateId !== null)
  const hasPicks = useStudio((state) => state.comparePicks.length > 0)
  const shown = ITEMS.filter((item) => (item.view === 'run' ? hasRun : item.view === 'profile' ? hasCandidate : item.view === 'compare' ? hasPicks : true))
  return (
    <nav className="nav" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          ▚
        </span>{' '}
        AKG Studio
      </div>
      <button
        type="button"
        className="nav-palette"
        onClick={() => setOverlay('palette')}
        aria-keyshortcuts="Control+K"
        title="Command palette (Ctrl+K); ? lists the shortcuts"
      >
        Commands <kbd>Ctrl K</kbd>
      </button>
      <ul>
        {shown.map((item) => (
          <li key={item.view}>
            <button
              type="button"
              className={`nav-item${view === item.view ? ' active' : ''}${item.nested ? ' nested' : ''}`}
              aria-current={view === item.view ? 'page' : undefined}
              title={item.hint}
              onClick={() => setView(item.view)}
            >
              {item.label}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  )
}
