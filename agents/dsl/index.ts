import type { Dsl } from '../ports/index.ts'
import { cpp } from './cpp/index.ts'
import { cudaC } from './cuda_c/index.ts'
import { numpy } from './numpy/index.ts'
import { tilelang } from './tilelang/index.ts'
import { triton } from './triton/index.ts'
import type { DslPlugin } from './types.ts'

export type { DslPlugin, DslSource } from './types.ts'

/** Every DSL the agents can write; a new DSL is a folder and one entry here. */
export const dslPlugins: Record<Dsl, DslPlugin> = { triton, cuda_c: cudaC, cpp, tilelang, numpy }

export const dslPlugin = (dsl: Dsl): DslPlugin => dslPlugins[dsl]
