import type { Slice } from './slice.ts'

export type ViewName =
  'welcome' | 'tasks' | 'new-run' | 'runs' | 'run' | 'profile' | 'compare' | 'migrate' | 'tune' | 'benchmarks' | 'model' | 'toolchains' | 'settings'

/** What covers the views: the command palette or the keyboard help. */
export type Overlay = 'palette' | 'help' | null

export interface UiSlice {
  view: ViewName
  theme: 'dark' | 'light'
  overlay: Overlay
  setView(view: ViewName): void
  setTheme(theme: 'dark' | 'light'): void
  setOverlay(overlay: Overlay): void
}

const THEME_KEY = 'akg-studio.theme'

export const createUiSlice: Slice<UiSlice> = (set) => ({
  view: 'tasks',
  theme: localStorage.getItem(THEME_KEY) === 'light' ? 'light' : 'dark',
  overlay: null,
  setView: (view) => set({ view }),
  setTheme: (theme) => {
    localStorage.setItem(THEME_KEY, theme)
    set({ theme })
  },
  setOverlay: (overlay) => set({ overlay }),
})
