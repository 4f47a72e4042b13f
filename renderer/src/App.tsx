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

/**
 * Without a URL to return to, a studio with no run and no model that answers (the stock Ollama
 * entry is configured but usually not running) opens on the first-run screen.
 */
async function firstLocation(): Promise<Location> {
  const runs = await request('runs.list', { limit: 1 })
  // The launch check of every provider (checkProviders) decides modelReachable; wait for its answer.
  const reachable = await new Promise<boolean>((resolve) => {
    const now = useStudio.getState().modelReachable
    if (now !== null) return resolve(now)
    const stop = useStudio.subscribe(
      (state) => state.modelReachable,
      (value) => {
        if (value === null) return
        stop()
        resolve(value)
      },
    )
  })
  return { view: runs.ok && runs.data.length === 0 && !reachable ? 'welcome' : 'tasks' }
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
