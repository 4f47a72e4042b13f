import type { ClusterStatus } from '../../../agents/contract/index.ts'
import type { CliContext, Command } from '../command.ts'
import { table } from '../format.ts'
import { call } from './basic.ts'

function print(status: ClusterStatus, context: CliContext): void {
  if (context.json) return context.out(JSON.stringify(status, null, 2))
  if (!status.address) return context.out('No Ray cluster is configured: akg cluster connect ray://HEAD:10001 (or HEAD:6379, or auto).')
  if (!status.inventory) return context.out(`Ray cluster ${status.address}: ${status.error ?? 'not reachable'}`)
  context.out(`Ray ${status.inventory.ray_version} at ${status.address}; runs and batches use it with --device ray:cuda (or ray:cpu)`)
  const rows = status.inventory.nodes.map((node) => [
    `${node.hostname ?? node.address ?? node.node_id.slice(0, 8)}${node.head ? ' (head)' : ''}`,
    String(node.cpus),
    node.gpus === 0
      ? '-'
      : node.gpu_details.length
        ? node.gpu_details.map((gpu) => `${gpu.name} ${gpu.memory_mb ?? '?'} MiB ${gpu.utilization_pct ?? '?'}%`).join('; ')
        : `${node.gpus} x ${node.gpu_model ?? 'GPU'}`,
  ])
  context.out(table(['node', 'cpus', 'gpus (model, memory, busy)'], rows))
}

export const clusterCommand: Command = {
  name: 'cluster',
  usage: 'akg cluster [status | connect ADDRESS [--cpu-slots-per-node N] | disconnect] [--json]',
  summary: 'a Ray cluster that verifies candidates (device ray:cuda / ray:cpu); the studio stays the driver',
  async run(args, context) {
    const [action = 'status', address] = args
    if (action === 'connect') {
      if (!address) throw new Error('usage: akg cluster connect ADDRESS (ray://HEAD:10001, HEAD:6379 or auto)')
      const slotsIndex = args.indexOf('--cpu-slots-per-node')
      const cpuSlotsPerNode = slotsIndex >= 0 ? Number(args[slotsIndex + 1]) : undefined
      print(await call(context, 'runner.connectCluster', { address, ...(cpuSlotsPerNode !== undefined ? { cpuSlotsPerNode } : {}) }), context)
      return 0
    }
    if (action === 'disconnect') {
      await call(context, 'runner.disconnectCluster', {})
      context.out(context.json ? JSON.stringify({ disconnected: true }) : 'Ray cluster disconnected; runs verify on this machine and SSH hosts only.')
      return 0
    }
    if (action !== 'status') throw new Error(`unknown action "${action}": use status, connect or disconnect`)
    print(await call(context, 'runner.cluster', {}), context)
    return 0
  },
}
