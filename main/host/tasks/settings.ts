import { z } from 'zod'

/** The task library's section of settings.json. */
export const taskSettings = {
  /** Task files the user opened, most recent first. */
  openedTasks: z.array(z.string()).default([]),
  /** Task folders (KernelBench checkouts) the user opened, most recent first. */
  openedFolders: z.array(z.string()).default([]),
}
