import type { StudioState } from '../store/index.ts'
import type { ViewName } from '../store/ui-slice.ts'

export interface Command {
  id: string
  label: string
  /** The key sequence shown beside it and handled globally, e.g. "g r". */
  keys?: string
  run(state: StudioState): void | Promise<unknown>
}

const go = (view: ViewName, label: string, key: string): Command => ({
  id: `go.${view}`,
  label: `Go to ${label}`,
  keys: `g ${key}`,
  run: (state) => state.setView(view),
})

/** The studio's actions, for the command palette and the keyboard; the help overlay lists them. */
export function studioCommands(state: StudioState): Command[] {
  const commands: Command[] = [
    go('welcome', 'Start here', 'h'),
    go('tasks', 'Tasks', 't'),
    go('new-run', 'New run', 'n'),
    go('runs', 'Runs', 'r'),
    go('migrate', 'Migrate', 'm'),
    go('tune', 'Tune', 'u'),
    go('benchmarks', 'Benchmarks', 'b'),
    go('toolchains', 'Toolchains', 'c'),
    go('settings', 'Settings', 's'),
    { id: 'samples.start', label: 'Try the studio with the sample replays (starts a run)', run: (current) => current.startSamples() },
    { id: 'toolchain.detect', label: 'Detect toolchains again', run: (current) => current.detectToolchain(true) },
    { id: 'theme.toggle', label: 'Toggle light / dark theme', run: (current) => current.setTheme(current.theme === 'dark' ? 'light' : 'dark') },
    { id: 'help', label: 'Keyboard shortcuts', keys: '?', run: (current) => current.setOverlay('help') },
  ]
  if (state.selectedRunId) {
    commands.push({ id: 'run.open', label: 'Go to the open run', keys: 'g o', run: (current) => current.setView('run') })
  }
  const runs = state.runList.state === 'ready' ? state.runList.value.slice(0, 30) : []
  for (const run of runs)
    commands.push({
      id: `run.${run.id}`,
      label: `Open run: ${run.title}${run.replay ? ' (replay)' : ''} · ${run.status}`,
      run: (current) => current.openRun(run.id),
    })
  return commands
}

/** Shortcuts that are not commands of their own, for the help overlay. */
export const EXTRA_SHORTCUTS: Array<{ keys: string; label: string }> = [
  { keys: 'Ctrl+K · Ctrl+Shift+P · ⌘K', label: 'Command palette' },
  { keys: 'Esc', label: 'Close the palette or this help' },
  { keys: 'Alt+← · Alt+→', label: 'Back and forward (browser history)' },
]
