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
