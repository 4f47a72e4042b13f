import type { z } from 'zod'
import { appRoutes } from './app.ts'
import { benchRoutes } from './bench.ts'
import { cacheRoutes } from './cache.ts'
import { providerRoutes } from './providers.ts'
import { events } from './events.ts'
import { modelRoutes } from './model.ts'
import { runnerRoutes } from './runner.ts'
import { runRoutes } from './runs.ts'
import { sessionRoutes } from './sessions.ts'
import { taskRoutes } from './tasks.ts'
import { toolchainRoutes } from './toolchain.ts'
import { tunerRoutes } from './tuner.ts'
import { workbenchRoutes } from './workbench.ts'

export * from './app.ts'
export * from './bench.ts'
export * from './cache.ts'
export * from './define.ts'
export * from './model.ts'
export * from './providers.ts'
export * from './registry.ts'
export * from './result.ts'
export * from './run-facts.ts'
export * from './runner.ts'
export * from './runs.ts'
export * from './sessions.ts'
export * from './tasks.ts'
export * from './toolchain.ts'
export * from './tuner.ts'
export * from './workbench.ts'
export { events }

/** Every request the UI and the CLI can make. Add a domain's routes here and its handlers in main/host. */
export const routes = {
  ...appRoutes,
  ...toolchainRoutes,
  ...taskRoutes,
  ...runRoutes,
  ...benchRoutes,
  ...cacheRoutes,
  ...runnerRoutes,
  ...sessionRoutes,
  ...tunerRoutes,
  ...providerRoutes,
  ...modelRoutes,
  ...workbenchRoutes,
}

export type Routes = typeof routes
export type RouteName = keyof Routes
export type RouteInput<R extends RouteName> = z.input<Routes[R]['input']>
export type ParsedInput<R extends RouteName> = z.output<Routes[R]['input']>
export type RouteOutput<R extends RouteName> = NonNullable<Routes[R]['output']>

export type Events = typeof events
export type EventName = keyof Events
export type EventPayload<E extends EventName> = NonNullable<Events[E]['payload']>

/** Route and event names as plain lists, for the preload and transports to check against. */
export const routeNames = Object.keys(routes) as RouteName[]
export const eventNames = Object.keys(events) as EventName[]

export const isRouteName = (value: unknown): value is RouteName => typeof value === 'string' && Object.hasOwn(routes, value)
export const isEventName = (value: unknown): value is EventName => typeof value === 'string' && Object.hasOwn(events, value)
