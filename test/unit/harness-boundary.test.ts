import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { dslNames } from '../../agents/contract/registry.ts'
import { CREDENTIAL_NAME, EXECUTOR_ENVIRONMENT, filterEnvironment, HARNESS_ENVIRONMENT, verdictSchema } from '../../agents/contract/harness-boundary.ts'
import { BOUNDARY_FILE, boundaryText, REGISTRY_FILE, registryText } from '../../scripts/harness-schema.ts'

describe('the harness boundary', () => {
  it('is generated from the contract: regenerate with `node_modules/.bin/tsx scripts/harness-schema.ts`', () => {
    expect(readFileSync(BOUNDARY_FILE, 'utf8')).toBe(boundaryText())
  })

  it("gives the harness the registry's DSLs and roles: regenerate with `node_modules/.bin/tsx scripts/harness-schema.ts`", () => {
    expect(readFileSync(REGISTRY_FILE, 'utf8')).toBe(registryText())
    expect((JSON.parse(registryText()) as { dsls: Array<{ name: string }> }).dsls.map((dsl) => dsl.name)).toEqual([...dslNames])
  })

  it("passes toolchain settings to the harness and never keys, tokens or the studio's own variables", () => {
    const studio = {
      PATH: '/usr/bin',
      HOME: '/home/u',
      OPENAI_API_KEY: 'sk-1',
      ANTHROPIC_API_KEY: 'sk-2',
      AKG_TOKEN: 't',
      AKG_STUDIO_HOME: '/data',
      AKG_CACHE_DIR: '/cache',
      TORCH_CUDA_ARCH_LIST: '9.0a',
      GITHUB_TOKEN: 'g',
      TRITON_AUTH: 'x',
      ELECTRON_RUN_AS_NODE: '1',
      AKG_SANDBOX_PROCESSES: '64',
    }
    expect(filterEnvironment(studio, HARNESS_ENVIRONMENT)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/u',
      AKG_STUDIO_HOME: '/data',
      AKG_CACHE_DIR: '/cache',
      TORCH_CUDA_ARCH_LIST: '9.0a',
      AKG_SANDBOX_PROCESSES: '64',
    })
    expect(filterEnvironment(studio, EXECUTOR_ENVIRONMENT)).toEqual({ PATH: '/usr/bin', TORCH_CUDA_ARCH_LIST: '9.0a' })
    expect([...EXECUTOR_ENVIRONMENT.names, ...HARNESS_ENVIRONMENT.names].filter((name) => CREDENTIAL_NAME.test(name))).toEqual([])
  })

  it('refuses a verdict of another schema version', () => {
    const verdict = { schema_version: 2, status: 'passed', correct: true, checks: [], error: null, timing: null, flags: [] }
    expect(verdictSchema.safeParse(verdict).success).toBe(true)
    expect(verdictSchema.safeParse({ ...verdict, schema_version: 1 }).success).toBe(false)
  })
})
