import { event } from './define.ts'
import type { ToolchainReport } from './toolchain.ts'

/** Events flow from the backend to every connected client. Names are noun-verb. */
export const events = {
  'toolchain-detect-end': event<ToolchainReport>(),
}
