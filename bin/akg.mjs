#!/usr/bin/env node
// The `akg` command. The CLI is TypeScript run through tsx, so no build step stands between
// an edit and the command; the app's Electron bundle is built separately by electron-vite.
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('../main/cli/index.ts')
process.exitCode = await runCli(process.argv.slice(2))
