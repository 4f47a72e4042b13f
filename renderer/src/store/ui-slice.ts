import type { Slice } from './slice.ts'

export type ViewName = 'tasks' | 'new-run' | 'runs' | 'run' | 'profile' | 'migrate' | 'tune' | 'benchmarks' | 'model' | 'toolchains' | 'settings'

export interface UiSlice {
  view: ViewName
  theme: 'dark' | 'light'
  setView(view: ViewName): void
  setTheme(theme: 'dark' | 'light'): void
}

const THEME_KEY = 'akg-studio.theme'

export const createUiSlice: Slice<UiSlice> = (set) => ({
  view: 'tasks',
  theme: localStorage.getItem(THEME_KEY) === 'light' ? 'light' : 'dark',
  setView: (view) => set({ view }),
  setTheme: (theme) => {
    localStorage.setItem(THEME_KEY, theme)
    set({ theme })
  },
})
