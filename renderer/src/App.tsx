import { useEffect } from 'react'
import { ModelBanner } from './components/ModelBanner.tsx'
import { Nav } from './components/Nav.tsx'
import { StatusBar } from './components/StatusBar.tsx'
import { TunerPanel } from './components/tuner/TunerPanel.tsx'
import { useStudio } from './store/index.ts'
import { BenchmarksView } from './views/BenchmarksView.tsx'
import { MigrateView } from './views/MigrateView.tsx'
import { ModelView } from './views/ModelView.tsx'
import { NewRunView } from './views/NewRunView.tsx'
import { ProfileView } from './views/ProfileView.tsx'
import { RunsView } from './views/RunsView.tsx'
import { RunView } from './views/RunView.tsx'
import { SettingsView } from './views/SettingsView.tsx'
import { TasksView } from './views/TasksView.tsx'
import { ToolchainsView } from './views/ToolchainsView.tsx'

const VIEWS = {
  tasks: TasksView,
  'new-run': NewRunView,
  runs: RunsView,
  run: RunView,
  profile: ProfileView,
  migrate: MigrateView,
  tune: TunerPanel,
  benchmarks: BenchmarksView,
  model: ModelView,
  toolchains: ToolchainsView,
  settings: SettingsView,
}

export function App() {
  const view = useStudio((state) => state.view)
  const theme = useStudio((state) => state.theme)
  const detect = useStudio((state) => state.detectToolchain)
  const checkProviders = useStudio((state) => state.checkProviders)
  useEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])
  // Detection takes seconds (it imports torch); start it at launch so Toolchains is ready when opened.
  useEffect(() => void detect(), [detect])
  // Whether any model answers decides the first-run banner; a local Ollama answers in milliseconds.
  useEffect(() => void checkProviders(), [checkProviders])
  const View = VIEWS[view]
  return (
    <div className="shell">
      <Nav />
      <main className="main">
        <ModelBanner />
        <View />
      </main>
      <StatusBar />
    </div>
  )
}
