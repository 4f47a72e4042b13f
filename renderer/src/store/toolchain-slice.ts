import type { ToolchainReport } from '../../../agents/contract/index.ts'
import { request, subscribe } from '../transport/index.ts'
import type { Loadable, Slice } from './slice.ts'

export interface ToolchainSlice {
  toolchain: Loadable<ToolchainReport>
  detectToolchain(refresh?: boolean): Promise<void>
}

export const createToolchainSlice: Slice<ToolchainSlice> = (set, get) => {
  // A detection started elsewhere (another window, the CLI through the same backend) updates us too.
  subscribe('toolchain-detect-end', (report) => set({ toolchain: { state: 'ready', value: report } }))
  return {
    toolchain: { state: 'idle' },
    async detectToolchain(refresh = false) {
      const current = get().toolchain
      set({ toolchain: { state: 'loading', previous: current.state === 'ready' ? current.value : undefined } })
      const result = await request('toolchain.detect', refresh ? { refresh: true } : {})
      set({ toolchain: result.ok ? { state: 'ready', value: result.data } : { state: 'error', ...result.error } })
    },
  }
}
