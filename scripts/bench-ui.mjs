// `node scripts/bench-ui.mjs [--candidates 200] [--events 50000] [--rate 2500]`: the UI benchmark of
// docs/benchmarks/ui.md. Streams a generated run log through the real backend's run-event path into
// the Run view in headless Chromium and reports frame times, renderer memory and time to first screen.
import { ensureBuild, ensureNodeModules } from './setup.mjs'

ensureNodeModules()
ensureBuild()
const { register } = await import('tsx/esm/api')
register()
await import('./bench-ui/bench.ts')
