/** Errors of the disk itself: no write can succeed until the user frees space or remounts. */
const diskCodes: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
}

/** Whether an error (from any store write) is a full, over-quota or read-only disk. */
export function isDiskError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code in diskCodes
}

/** The sentence a user reads when a run stops on a disk error: what happened and what to do. */
export function diskErrorMessage(error: unknown, runId: string): string {
  const code = String((error as { code?: unknown }).code)
  const path = (error as { path?: unknown }).path
  return `The run stopped: ${diskCodes[code] ?? code} (${code}${typeof path === 'string' ? ` writing ${path}` : ''}). Nothing committed was lost; free space (or make the data folder writable) and resume it: akg resume ${runId}.`
}
