import { useCallback, useState } from 'react'

const PREFIX = 'akg-studio.form.'

function read<T extends object>(key: string, initial: T): T {
  try {
    const saved = sessionStorage.getItem(PREFIX + key)
    return saved ? { ...initial, ...(JSON.parse(saved) as Partial<T>) } : initial
  } catch {
    return initial
  }
}

/** Fills a form before its view opens (Tasks' "Run this task" fills New run's task field). */
export function writeForm<T extends object>(key: string, value: T): void {
  try {
    sessionStorage.setItem(PREFIX + key, JSON.stringify(value))
  } catch {
    // Storage refused: the view opens with its own defaults.
  }
}

/**
 * A form's state that outlives its view: leaving Migrate or New batch and coming back finds what
 * was typed. Kept in sessionStorage, so a reload keeps it and a new window starts clean.
 */
export function useForm<T extends object>(key: string, initial: T): [T, (next: T | ((current: T) => T)) => void] {
  const [value, setValue] = useState<T>(() => read(key, initial))
  const update = useCallback(
    (next: T | ((current: T) => T)) => {
      setValue((current) => {
        const resolved = typeof next === 'function' ? (next as (current: T) => T)(current) : next
        try {
          sessionStorage.setItem(PREFIX + key, JSON.stringify(resolved))
        } catch {
          // Storage full or refused: the form still works, it just forgets.
        }
        return resolved
      })
    },
    [key],
  )
  return [value, update]
}
