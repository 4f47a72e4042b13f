// `npm run serve`: browser mode. Sets up what is missing, builds if stale, then serves the studio
// on 127.0.0.1 and prints the URL (token included). Options: --host H --port P --token T.
import { ensureBuild, ensureNodeModules } from './setup.mjs'

ensureNodeModules()
ensureBuild()
const { register } = await import('tsx/esm/api')
register()
await import('../main/server/index.ts')
