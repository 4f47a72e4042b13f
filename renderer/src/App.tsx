import { useEffect } from 'react'
import { Nav } from './components/Nav.tsx'
import { StatusBar } from './components/StatusBar.tsx'
import { useStudio } from './store/index.ts'
import { RunsView } from './views/RunsView.tsx'
import { SettingsView } from './views/SettingsView.tsx'
import { TasksView } from './views/TasksView.tsx'
import { ToolchainsView } from './views/ToolchainsView.tsx'

const VIEWS = { tasks: TasksView, runs: RunsView, toolchains: ToolchainsView, settings: SettingsView }

export function App() {
  const view = useStudio((state) => state.view)
  const theme = useStudio((state) => state.theme)
  const detect = useStudio((state) => state.detectToolchain)
  useEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])
  // Detection takes seconds (it imports torch); start it at launch so Toolchains is ready when opened.
  useEffect(() => void detect(), [detect])
  const View = VIEWS[view]
  return (
    <div className="shell">
      <Nav />
      <main className="main">
        <View />
      </main>
      <StatusBar />
    </div>
  )
}
