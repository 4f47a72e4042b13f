import { useCallback, useEffect } from 'react'
import { ModelBanner } from './components/ModelBanner.tsx'
import { Nav } from './components/Nav.tsx'
import { StatusBar } from './components/StatusBar.tsx'
import { TunerPanel } from './components/tuner/TunerPanel.tsx'
import { CommandPalette } from './components/workbench/CommandPalette.tsx'
import { HelpOverlay } from './components/workbench/HelpOverlay.tsx'
import type { Location } from './lib/router.ts'
import { useRouter } from './lib/use-router.ts'
import { useShortcuts } from './lib/use-shortcuts.ts'
import { request } from './transport/index.ts'
import { useStudio } from './store/index.ts'
import { BenchmarksView } from './views/BenchmarksView.tsx'
import { CompareView } from './views/CompareView.tsx'
import { MigrateView } from './views/MigrateView.tsx'
import { ModelView } from './views/ModelView.tsx'
import { NewRunView } from './views/NewRunView.tsx'
import { ProfileView } from './views/ProfileView.tsx'
import { RunsView } from './views/RunsView.tsx'
import { RunView } from './views/RunView.tsx'
import { SettingsView } from './views/SettingsView.tsx'
import { TasksView } from './views/TasksView.tsx'
import { ToolchainsView } from './views/ToolchainsView.tsx'
import { WelcomeView } from './views/WelcomeView.tsx'

const VIEWS = {
  welcome: WelcomeView,
  tasks: TasksView,
  'new-run': NewRunView,
  runs: RunsView,
  run: RunView,
  profile: ProfileView,
  compare: CompareView,
  migrate: MigrateView,
  tune: TunerPanel,
  benchmarks: BenchmarksView,
  model: ModelView,
  toolchains: ToolchainsView,
  settings: SettingsView,
}

/** Without a URL to return to, a studio with no provider and no run opens on the first-run screen. */
async function firstLocation(): Promise<Location> {
  const [providers, runs] = await Promise.all([request('providers.list', {}), request('runs.list', { limit: 1 })])
  const fresh = providers.ok && providers.data.length === 0 && runs.ok && runs.data.length === 0
  return { view: fresh ? 'welcome' : 'tasks' }
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
  useShortcuts()
  useRouter(useCallback(firstLocation, []))
  const View = VIEWS[view]
  return (
    <div className="shell">
      <Nav />
      <main className="main">
        <ModelBanner />
        <View />
      </main>
      <StatusBar />
      <CommandPalette />
      <HelpOverlay />
    </div>
  )
}
