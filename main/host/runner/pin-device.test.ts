import { describe, expect, it } from 'vitest'
import { planSlots } from './devices.ts'
import { HarnessRunner } from './harness-runner.ts'
import type { WorkerHost } from './worker-host.ts'

/** A host that only reports its devices: pinning a run's device starts no worker. */
const host = (name: string, cuda: number): WorkerHost => ({
  name,
  kind: name === 'local' ? 'local' : 'ssh',
  discover: async () => planSlots(name, { cuda, npu: 0, cpuCores: 4 }, 1),
  connect: async () => {
    throw new Error('pinning must not start a worker')
  },
  stageFiles: async (_worker, paths) => paths,
})

describe('a run on a bare device kind keeps one device', () => {
  it("pins `cuda` to one of this machine's GPUs, written plainly when no other host has GPUs", async () => {
    const runner = new HarnessRunner({ hosts: [host('local', 2)] })
    expect(await runner.pinDevice('cuda')).toBe('cuda:0')
    // Runs started together (a batch) spread over the GPUs, one run each in turn.
    expect(await runner.pinDevice('cuda')).toBe('cuda:1')
    expect(await runner.pinDevice('cuda')).toBe('cuda:0')
    expect(await runner.pinDevice('cuda:1')).toBe('cuda:1')
    expect(await runner.pinDevice('cpu')).toBe('cpu')
    await runner.stop()
  })

  it('names the host when another host has the same kind, and prefers this machine', async () => {
    const runner = new HarnessRunner({ hosts: [host('local', 1), host('box', 2)] })
    expect(await runner.pinDevice('cuda')).toBe('local:cuda:0')
    expect(await runner.pinDevice('box:cuda')).toBe('box:cuda:0')
    await runner.stop()
    const remoteOnly = new HarnessRunner({ hosts: [host('local', 0), host('box', 2)] })
    expect(await remoteOnly.pinDevice('cuda')).toBe('box:cuda:0')
    await remoteOnly.stop()
  })

  it('leaves a device nothing serves as it was, for evaluate to refuse with the list of devices', async () => {
    const runner = new HarnessRunner({ hosts: [host('local', 0)] })
    expect(await runner.pinDevice('cuda')).toBe('cuda')
    expect(await runner.pinDevice('not-a-device')).toBe('not-a-device')
    await runner.stop()
  })
})
