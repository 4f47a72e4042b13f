import { readdirSync, readFileSync } from 'node:fs'

/**
 * Every descendant of a process, read from /proc. A harness may start helpers in their own
 * session (compilers, a supervisor), which a process-group kill would miss; walking the tree
 * before the kill finds them. Returns [] where /proc does not exist.
 */
export function descendantsOf(rootPid: number): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  const children = new Map<number, number[]>()
  for (const entry of entries) {
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    const parent = parentOf(pid)
    if (parent === null) continue
    const list = children.get(parent)
    if (list) list.push(pid)
    else children.set(parent, [pid])
  }
  const found: number[] = []
  const stack = [rootPid]
  while (stack.length > 0) {
    const pid = stack.pop() as number
    for (const child of children.get(pid) ?? []) {
      found.push(child)
      stack.push(child)
    }
  }
  return found
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may contain spaces and parentheses; fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[1])
  } catch {
    return null
  }
}

/** Signals a process group and then each listed process; a process already gone is not an error. */
export function signalTree(groupLeader: number, extra: number[], signal: NodeJS.Signals): void {
  try {
    process.kill(-groupLeader, signal)
  } catch {
    // No such group: the leader was not a group leader or it is gone.
  }
  for (const pid of [groupLeader, ...extra]) {
    try {
      process.kill(pid, signal)
    } catch {
      // Already gone.
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Every process whose environment holds `entry` (NAME=value). A daemonising child (double fork,
 * setsid) leaves both our process tree and our groups, but keeps the environment it inherited:
 * the shutdown sweep finds it by the owner mark every child is started with.
 */
export function processesWithEnvironment(entry: string): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  const needle = Buffer.from(`${entry}\0`)
  const found: number[] = []
  for (const name of entries) {
    const pid = Number(name)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    try {
      const environment = readFileSync(`/proc/${pid}/environ`)
      if (environment.includes(needle) || environment.subarray(-needle.length + 1).equals(needle.subarray(0, -1))) found.push(pid)
    } catch {
      // Gone, or another user's process: not ours.
    }
  }
  return found
}
