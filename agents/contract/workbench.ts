import { z } from 'zod'
import { route } from './define.ts'
import type { RunSummary } from './runs.ts'

/** What samples.start set up and started. */
export interface SampleStart {
  /** The replay provider it saved (kind replay over resources/cassettes). */
  provider: string
  run: RunSummary
  /** Why this task, DSL and device were picked on this machine. */
  reason: string
}

/** One entry of a folder the file browser shows. */
export interface FileEntry {
  name: string
  path: string
  kind: 'file' | 'folder'
  sizeBytes: number | null
}

/** A folder listing; `roots` are the folders the browser may show (opened task folders, the data folder, samples). */
export interface FolderListing {
  path: string
  parent: string | null
  entries: FileEntry[]
  roots: Array<{ label: string; path: string }>
}

/** What a new terminal's shell really finds as python, after its profile ran. */
export interface PythonOnPath {
  shell: string
  /** The selected environment's interpreter. */
  expected: string
  /** `command -v python` (else python3) in an interactive shell with the terminal's environment. */
  found: string | null
  /** Whether the found python is the selected environment's. */
  first: boolean
  /** False when the shell did not answer in time or could not start. */
  checked: boolean
}

export const workbenchRoutes = {
  /**
   * Try the studio without a model: saves a replay provider over the shipped sample cassettes
   * and starts a run of a sample task this machine can verify (labelled a replay everywhere).
   */
  'samples.start': route<SampleStart>()(z.object({}).strict()),
  /**
   * Lists a folder for the file browser. Only folders under the allowed roots are shown (after
   * resolving `..` and symlinks); anything else is refused with FILES_OUTSIDE_ROOTS.
   */
  'files.list': route<FolderListing>()(
    z
      .object({
        path: z.string().min(1).max(4096).optional(),
        extensions: z
          .array(z.string().regex(/^\.[a-z0-9]+$/))
          .max(8)
          .optional(),
      })
      .strict(),
  ),
  /**
   * Verifies code the user edited from a candidate: a new run forked from that candidate whose
   * first candidate is the edited code (origin fork, parent the edited candidate). It is checked,
   * verified and timed by the harness like any model's answer.
   */
  'runs.verifyEdited': route<RunSummary>()(
    z.object({ runId: z.string().min(1), candidateId: z.string().min(1), code: z.string().min(1).max(1_000_000) }).strict(),
  ),
  /** Opens a file in the desktop's editor (Electron); browser mode answers with the path to open by hand. */
  'files.openExternal': route<{ opened: boolean; path: string }>()(z.object({ path: z.string().min(1).max(4096) }).strict()),
  /** Which python a new terminal finds first once the shell's profile ran (a profile may put another first). */
  'terminal.pythonOnPath': route<PythonOnPath>()(z.object({ python: z.string().min(1).max(4096) }).strict()),
  /** Deletes a finished run and its folder; a running run is refused. */
  'runs.delete': route<{ runId: string; deleted: boolean }>()(z.object({ runId: z.string().min(1) }).strict()),
}
