export * from './model.ts'
export * from './runner.ts'

/** Time, injected so whole runs can be tested in milliseconds. */
export interface Clock {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}
