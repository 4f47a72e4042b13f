import { findAppRoot } from '../host/app-root.ts'
import { createHandlers } from '../host/handlers/index.ts'
import { Host } from '../host/host.ts'
import type { CliContext, Command } from './command.ts'
import { CliError, infoCommand, tasksCommand, toolchainsCommand } from './commands/basic.ts'
import { benchCommand } from './commands/bench.ts'
import { cacheCommand } from './commands/cache.ts'
import { clusterCommand } from './commands/cluster.ts'
import { migrateCommand } from './commands/migrate.ts'
import { modelCommand } from './commands/model.ts'
import { forkCommand, resumeCommand } from './commands/resume.ts'
import { runCommand } from './commands/run.ts'
import { runsCommand } from './commands/runs.ts'
import { showCommand } from './commands/show.ts'
import { tuneCommand } from './commands/tune.ts'

/** Every `akg` command; a new command is one entry here. */
export const commands: Command[] = [
  infoCommand,
  toolchainsCommand,
  tasksCommand,
  runCommand,
  migrateCommand,
  benchCommand,
  runsCommand,
  showCommand,
  resumeCommand,
  forkCommand,
  tuneCommand,
  cacheCommand,
  modelCommand,
  clusterCommand,
]

function usage(): string {
  const lines = commands.flatMap((command) => [`  ${command.usage}`, `      ${command.summary}`])
  return ['usage: akg <command> [options]', '', ...lines, '', 'Add --json to any command for machine-readable output.'].join('\n')
}

export async function runCli(argv: string[], io: Partial<Pick<CliContext, 'out' | 'error'>> = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`))
  const error = io.error ?? ((line: string) => process.stderr.write(`${line}\n`))
  const [name, ...rest] = argv
  const asked = name === 'help' && rest[0] ? commands.find((candidate) => candidate.name === rest[0]) : undefined
  if (!name || ((name === 'help' || name === '--help' || name === '-h') && !asked)) {
    out(usage())
    return name ? 0 : 2
  }
  const command = asked ?? commands.find((candidate) => candidate.name === name)
  if (!command) {
    error(`akg: unknown command "${name}"\n\n${usage()}`)
    return 2
  }
  // `akg bench --help`, `akg help bench`: the command's own usage, before anything starts.
  if (asked || rest.includes('--help') || rest.includes('-h')) {
    out(`usage: ${command.usage}\n    ${command.summary}`)
    return 0
  }
  const host = new Host({ appRoot: findAppRoot(import.meta.dirname), program: 'cli' })
  const context: CliContext = { host, handlers: createHandlers(host), json: rest.includes('--json'), out, error }
  try {
    return await command.run(
      rest.filter((arg) => arg !== '--json'),
      context,
    )
  } catch (caught) {
    if (caught instanceof CliError) {
      if (context.json) out(JSON.stringify({ ok: false, error: caught.apiError }))
      else error(`akg ${name}: ${caught.apiError.message} [${caught.apiError.code}]`)
      return 1
    }
    error(`akg ${name}: ${caught instanceof Error ? caught.message : String(caught)}`)
    return 1
  } finally {
    await host.shutdown()
  }
}
