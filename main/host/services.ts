import type { EventBus } from './event-bus.ts'
import type { StudioPaths } from './paths.ts'
import type { ProcessManager } from './process/process-manager.ts'
import type { SettingsFile } from './settings.ts'

/**
 * What the machine-facing services are built from. A service names the fields it uses
 * (`Pick<HostBasics, 'paths' | 'processes'>` plus the other services it calls), never the
 * whole Host, so a test can build one from a few fakes and the wiring in host.ts says who
 * depends on whom.
 */
export interface HostBasics {
  paths: StudioPaths
  events: EventBus
  /** Owns every child process and pty. */
  processes: ProcessManager
  settings: SettingsFile
  /** The configured Python interpreter (the settings' choice, else the project's environment). */
  python: () => Promise<string>
}

/** One started service: its name and how it is released (none for services holding nothing). */
interface Started {
  name: string
  stop: (() => Promise<void> | void) | null
}

/**
 * The services of a Host in the order they were created. A service is created after those it
 * uses, so stopping in reverse creation order releases every user before what it uses: runs
 * before the tuner they tune with, the tuner before the runner's workers, the workers before
 * the process sweep. A stop that fails is ignored so the ones after it still run.
 */
export class ServiceList {
  private readonly started: Started[] = []
  private stopping: Promise<void> | null = null

  /** Creates a service now and records how to stop it; returns the service. */
  add<T>(name: string, create: () => T, stop?: (service: T) => Promise<void> | void): T {
    if (this.started.some((entry) => entry.name === name)) throw new Error(`A service named ${name} was already created.`)
    const service = create()
    this.started.push({ name, stop: stop ? () => stop(service) : null })
    return service
  }

  /** The services in creation order. */
  names(): string[] {
    return this.started.map((entry) => entry.name)
  }

  /** The order `stop()` releases them in: reverse creation order, services holding nothing left out. */
  stopOrder(): string[] {
    return this.started
      .filter((entry) => entry.stop)
      .map((entry) => entry.name)
      .reverse()
  }

  /** Stops every service once, last created first; concurrent and repeated calls share one pass. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const entry of [...this.started].reverse()) {
        if (!entry.stop) continue
        const stop = entry.stop
        await Promise.resolve()
          .then(stop)
          .catch(() => undefined)
      }
    })()
    return this.stopping
  }
}
