import { describe, expect, it } from 'vitest'
import { priceOf, usageWithCost } from './pricing.ts'
import { backoffDelay, DEFAULT_RETRY_POLICY } from './resilient-stream.ts'

describe('cost per call', () => {
  it('finds the price of dated and router-prefixed ids by family, the longest name first', () => {
    expect(priceOf('claude-sonnet-4-5-20250929')).toEqual({ input: 3, output: 15 })
    expect(priceOf('anthropic/claude-opus-4-1')).toEqual({ input: 15, output: 75 })
    expect(priceOf('gpt-4o-mini-2024-07-18')).toEqual({ input: 0.15, output: 0.6 })
    expect(priceOf('gpt-4o')).toEqual({ input: 2.5, output: 10 })
    expect(priceOf('o3-mini')).toEqual({ input: 1.1, output: 4.4 })
  })

  it('gives no cost for local or unknown models instead of a guess', () => {
    expect(priceOf('qwen2.5-coder:7b')).toBeNull()
    expect(priceOf('gpt-4o-but-not-really')).toBeNull()
    expect(usageWithCost('gpt-4o', 1000, 1000, false).costUsd).toBeNull()
    expect(usageWithCost('gpt-4o', 1_000_000, 100_000, true).costUsd).toBeCloseTo(3.5)
  })
})

describe('backoff', () => {
  it('doubles from the base, with jitter between half and all of it, up to the cap', () => {
    const policy = DEFAULT_RETRY_POLICY
    expect([1, 2, 3].map((retry) => backoffDelay(retry, policy, () => 0, null))).toEqual([500, 1000, 2000])
    expect([1, 2, 3].map((retry) => backoffDelay(retry, policy, () => 1, null))).toEqual([1000, 2000, 4000])
    expect(backoffDelay(12, policy, () => 1, null)).toBe(policy.maxDelayMs)
  })

  it("waits at least as long as the server's Retry-After, up to a minute", () => {
    expect(backoffDelay(1, DEFAULT_RETRY_POLICY, () => 0, 7000)).toBe(7000)
    expect(backoffDelay(1, DEFAULT_RETRY_POLICY, () => 0, 3_600_000)).toBe(60_000)
  })
})
