import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { z } from 'zod'

/**
 * A small JSON document on disk, validated on read and replaced atomically on write
 * (write to a temporary file, then rename), so a killed app never leaves half a file.
 */
export class JsonFile<Schema extends z.ZodType> {
  private cache: z.output<Schema> | undefined
  private writing: Promise<void> = Promise.resolve()

  constructor(
    readonly path: string,
    private readonly schema: Schema,
    private readonly fallback: () => z.output<Schema>,
    private readonly mode = 0o600,
  ) {}

  async read(): Promise<z.output<Schema>> {
    if (this.cache !== undefined) return this.cache
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch {
      this.cache = this.fallback()
      return this.cache
    }
    const parsed = this.schema.safeParse(safeJson(text))
    // A file we cannot read is kept aside rather than overwritten, so nothing the user had is lost.
    if (!parsed.success) {
      await rename(this.path, `${this.path}.unreadable-${Date.now()}`).catch(() => undefined)
      this.cache = this.fallback()
      return this.cache
    }
    this.cache = parsed.data
    return this.cache
  }

  async update(change: (current: z.output<Schema>) => z.output<Schema>): Promise<z.output<Schema>> {
    const next = change(await this.read())
    this.cache = next
    this.writing = this.writing.then(() => this.write(next))
    await this.writing
    return next
  }

  private async write(value: z.output<Schema>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true })
    const temporary = `${this.path}.${process.pid}.tmp`
    await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: this.mode })
    await rename(temporary, this.path)
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
