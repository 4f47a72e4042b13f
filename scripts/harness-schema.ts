/**
 * Writes the harness boundary (agents/contract/harness-boundary.ts) and the registry's lists
 * (agents/contract/registry.ts) as JSON for the Python side:
 *   node_modules/.bin/tsx scripts/harness-schema.ts
 * test/unit/harness-boundary.test.ts fails while a written file differs from the contract.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { harnessBoundaryDocument } from '../agents/contract/harness-boundary.ts'
import { registryDocument } from '../agents/contract/registry.ts'

export const BOUNDARY_FILE = fileURLToPath(new URL('../resources/harness/akg_harness/schema/boundary.json', import.meta.url))

export const boundaryText = (): string => `${JSON.stringify(harnessBoundaryDocument(), null, 2)}\n`

export const REGISTRY_FILE = fileURLToPath(new URL('../resources/harness/akg_harness/schema/registry.json', import.meta.url))

export const registryText = (): string => `${JSON.stringify(registryDocument(), null, 2)}\n`

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(BOUNDARY_FILE, boundaryText())
  writeFileSync(REGISTRY_FILE, registryText())
  console.log(`wrote ${BOUNDARY_FILE} and ${REGISTRY_FILE}`)
}
