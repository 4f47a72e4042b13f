import { useStudio } from '../store/index.ts'
import type { ViewName } from '../store/ui-slice.ts'

const ITEMS: Array<{ view: ViewName; label: string; hint: string }> = [
  { view: 'tasks', label: 'Tasks', hint: 'KernelBench-format tasks' },
  { view: 'runs', label: 'Runs', hint: 'agent runs, live and past' },
  { view: 'toolchains', label: 'Toolchains', hint: 'Python, torch, compilers, profilers' },
  { view: 'settings', label: 'Settings', hint: 'models, hosts, theme' },
]

export function Nav() {
  const view = useStudio((state) => state.view)
  const setView = useStudio((state) => state.setView)
  return (
    <nav className="nav" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">▚</span> AKG Studio
      </div>
      <ul>
        {ITEMS.map((item) => (
          <li key={item.view}>
            <button
              type="button"
              className={view === item.view ? 'nav-item active' : 'nav-item'}
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
