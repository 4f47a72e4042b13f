import type { Handlers } from '../dispatch.ts'
import type { Host } from '../host.ts'
import { insideRoots, listFolder } from '../workbench/file-browser.ts'
import { verifyEdited } from '../workbench/edited-candidate.ts'
import { pythonOnPath } from '../workbench/path-check.ts'
import { deleteRun } from '../workbench/run-delete.ts'
import { startSampleRun } from '../workbench/samples.ts'

/** The first-run samples, the file browser and run deletion. */
export const workbenchHandlers = (
  host: Host,
): Pick<Handlers, 'samples.start' | 'files.list' | 'runs.delete' | 'runs.verifyEdited' | 'files.openExternal' | 'terminal.pythonOnPath'> => ({
  'samples.start': () => startSampleRun(host),
  'files.list': (input) => listFolder(host, input),
  'runs.delete': (input) => deleteRun(host, input.runId),
  'runs.verifyEdited': (input) => verifyEdited(host, input),
  'terminal.pythonOnPath': (input) => pythonOnPath(host, input.python),
  'files.openExternal': async (input) => {
    const path = await insideRoots(host, input.path)
    // Only the desktop app can hand a file to the system's editor; a browser tab shows the path.
    return { opened: host.openPath ? await host.openPath(path) : false, path }
  },
})
