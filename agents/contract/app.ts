import { z } from 'zod'
import { route } from './define.ts'

/** Which front door a client is talking through. */
export type Transport = 'electron' | 'browser' | 'cli'

/** What the studio reports about itself. */
export interface AppInfo {
  name: string
  version: string
  platform: string
  arch: string
  node: string
  electron: string | null
  transport: Transport
  dataDir: string
}

export const appRoutes = {
  'app.info': route<AppInfo>()(z.object({}).strict()),
}
