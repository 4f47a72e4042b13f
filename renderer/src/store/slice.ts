import type { StateCreator } from 'zustand'
import type { StudioState } from './index.ts'

/** A slice creator that sees the whole store, with the root's middleware applied once. */
export type Slice<T> = StateCreator<StudioState, [['zustand/subscribeWithSelector', never]], [], T>

/** Where a request-backed value stands. */
export type Loadable<T> =
  { state: 'idle' } | { state: 'loading'; previous?: T } | { state: 'ready'; value: T } | { state: 'error'; message: string; code: string }
