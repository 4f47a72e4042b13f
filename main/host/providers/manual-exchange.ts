import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ManualPrompt } from '../../../agents/contract/index.ts'
import { renderManualPrompt, type ManualCall, type ManualExchange } from '../../../agents/providers/index.ts'

/** How often a waiting call looks for its response file; a person types far slower than this. */
const RESPONSE_POLL_MS = 500

interface Waiting {
  prompt: ManualPrompt
  resolve: ((text: string) => void) | null
  answered: boolean
}

/**
 * The manual provider's files: <dir>/<id>.prompt.md to copy into a chat window, and
 * <dir>/<id>.response.md, which the user saves or the UI writes when the answer is pasted.
 * The answer is always on disk before the call returns, so nothing typed is lost.
 */
export class FileManualExchange implements ManualExchange {
  private readonly waiting = new Map<string, Waiting>()

  constructor(
    private readonly directory: string,
    private readonly provider: string,
    private readonly notify: { start(prompt: ManualPrompt): void; end(id: string, answered: boolean): void },
    private readonly pollMs = RESPONSE_POLL_MS,
  ) {}

  async post(call: ManualCall): Promise<{ promptPath: string; responsePath: string }> {
    await mkdir(this.directory, { recursive: true })
    const promptPath = join(this.directory, `${call.id}.prompt.md`)
    const responsePath = join(this.directory, `${call.id}.response.md`)
    const prompt = renderManualPrompt(call, `Or save the answer as ${responsePath}.`)
    await writeFile(promptPath, prompt)
    const entry: ManualPrompt = {
      id: call.id,
      provider: this.provider,
      role: call.role,
      model: call.model,
      promptPath,
      responsePath,
      prompt,
      createdAt: new Date().toISOString(),
    }
    this.waiting.set(call.id, { prompt: entry, resolve: null, answered: false })
    this.notify.start(entry)
    return { promptPath, responsePath }
  }

  pending(): ManualPrompt[] {
    return [...this.waiting.values()].map((entry) => entry.prompt)
  }

  /** The answer pasted in the UI: written to the response file first, then handed to the call. */
  async answer(id: string, text: string): Promise<string | null> {
    const entry = this.waiting.get(id)
    if (!entry) return null
    await writeFile(entry.prompt.responsePath, text)
    entry.resolve?.(text)
    return entry.prompt.responsePath
  }

  waitForAnswer(id: string, signal: AbortSignal): Promise<string> {
    const entry = this.waiting.get(id)
    if (!entry) return Promise.reject(new Error(`No manual prompt ${id} is waiting.`))
    return new Promise<string>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const finish = (text: string) => {
        clearTimeout(timer)
        signal.removeEventListener('abort', abort)
        entry.resolve = null
        entry.answered = true
        resolve(text)
      }
      const abort = () => {
        clearTimeout(timer)
        entry.resolve = null
        reject(signal.reason ?? new Error('cancelled'))
      }
      const poll = async () => {
        const text = await readFile(entry.prompt.responsePath, 'utf8').catch(() => null)
        if (signal.aborted || entry.resolve === null) return
        // An empty file is one the editor has created but not yet saved into.
        if (text !== null && text.trim()) finish(text)
        else timer = setTimeout(poll, this.pollMs)
      }
      entry.resolve = finish
      if (signal.aborted) return abort()
      signal.addEventListener('abort', abort, { once: true })
      void poll()
    })
  }

  close(id: string): void {
    const entry = this.waiting.get(id)
    if (!entry) return
    this.waiting.delete(id)
    this.notify.end(id, entry.answered)
  }
}
