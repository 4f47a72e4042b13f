import type { ApiError, Result, RouteName, RouteOutput } from '../../../agents/contract/index.ts'
import { dispatch } from '../../host/dispatch.ts'
import type { CliContext, Command } from '../command.ts'
import { table } from '../format.ts'

/** Calls a route through the same dispatcher as the UI, so the CLI validates input identically. */
export async function call<R extends RouteName>(context: CliContext, route: R, input: unknown): Promise<RouteOutput<R>> {
  const result = (await dispatch(context.handlers, route, input, { transport: 'cli' })) as Result<RouteOutput<R>>
  if (!result.ok) throw new CliError(result.error)
  return result.data
}

export class CliError extends Error {
  constructor(readonly apiError: ApiError) {
    super(apiError.message)
  }
}

export const infoCommand: Command = {
  name: 'info',
  usage: 'akg info [--json]',
  summary: 'version, platform and where the studio keeps its data',
  async run(_args, context) {
    const info = await call(context, 'app.info', {})
    if (context.json) context.out(JSON.stringify(info, null, 2))
    else {
      context.out(`${info.name} ${info.version}`)
      context.out(`platform  ${info.platform}/${info.arch}, node ${info.node}${info.electron ? `, electron ${info.electron}` : ''}`)
      context.out(`data      ${info.dataDir}`)
    }
    return 0
  },
}

export const toolchainsCommand: Command = {
  name: 'toolchains',
  usage: 'akg toolchains [--python PATH] [--json]',
  summary: 'what Python, torch, triton, nvcc, ncu, nvidia-smi and npu-smi are visible',
  async run(args, context) {
    const pythonIndex = args.indexOf('--python')
    const python = pythonIndex >= 0 ? args[pythonIndex + 1] : undefined
    const report = await call(context, 'toolchain.detect', python ? { python } : {})
    if (context.json) {
      context.out(JSON.stringify(report, null, 2))
      return 0
    }
    const rows = [report.python, ...report.packages, ...report.executables].map((tool) => [
      tool.name,
      tool.found ? (tool.version ?? '') : 'missing',
      tool.found ? (tool.path ?? '') : `${tool.reason ?? ''}${tool.install ? ` — ${tool.install}` : ''}`,
    ])
    context.out(table(['tool', 'version', 'where / why missing'], rows))
    return 0
  },
}

export const tasksCommand: Command = {
  name: 'tasks',
  usage: 'akg tasks [--json]',
  summary: 'sample tasks and task files you opened',
  async run(_args, context) {
    const tasks = await call(context, 'tasks.list', {})
    if (context.json) context.out(JSON.stringify(tasks, null, 2))
    else
      context.out(
        table(
          ['id', 'level', 'source', 'path'],
          tasks.map((task) => [task.id, task.level?.toString() ?? '-', task.source, task.path]),
        ),
      )
    return 0
  },
}
