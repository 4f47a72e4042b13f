import { useEffect, useRef, useState } from 'react'

/**
 * The value, updated at most once per interval while it keeps changing, and always to its last
 * state: a chart that redraws from scratch follows a stream at a few hertz, not per frame.
 */
export function useThrottled<T>(value: T, intervalMs: number): T {
  const [shown, setShown] = useState(value)
  const last = useRef(0)
  useEffect(() => {
    const wait = last.current + intervalMs - performance.now()
    if (wait <= 0) {
      last.current = performance.now()
      setShown(value)
      return
    }
    const timer = setTimeout(() => {
      last.current = performance.now()
      setShown(value)
    }, wait)
    return () => clearTimeout(timer)
  }, [value, intervalMs])
  return shown
}
