// CPU seconds used by the CALLING thread (Linux), for the CPU governor.
//
// Sources, best first:
//  - /proc/thread-self/schedstat: first field is the thread's run time in nanoseconds (not in the brief's plan, but
//    finer than stat: it is stale by at most one scheduler tick and never truncated).
//  - /proc/thread-self/stat: fields 14 utime + 15 stime in clock ticks (CLK_TCK is 100 on Linux, checked with
//    `getconf CLK_TCK`), so each read is truncated to 10 ms per field.
//  - process.cpuUsage(): process-wide, used only where /proc is missing.
// /proc/thread-self resolves to the thread at open() time, and every worker thread loads its own copy of this
// module, so the fd kept here always describes the thread that reads it.
import { closeSync, openSync, readSync } from 'node:fs'

export type ThreadCpuSource = 'schedstat' | 'stat' | 'process'

const TICKS_PER_SECOND = 100
const buffer = Buffer.alloc(1024)
let fd: number | undefined
let source: ThreadCpuSource | undefined

function readProc(): string {
  const n = readSync(fd as number, buffer, 0, buffer.length, 0)
  return buffer.toString('latin1', 0, n)
}

function parseSchedstat(text: string): number {
  return Number(text.slice(0, text.indexOf(' '))) / 1e9
}

function parseStat(text: string): number {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

function tryOpen(path: string, parse: (text: string) => number): boolean {
  try {
    fd = openSync(path, 'r')
    if (Number.isFinite(parse(readProc()))) return true
    closeSync(fd)
  } catch {
    // not available here: try the next source
  }
  fd = undefined
  return false
}

function init(): ThreadCpuSource {
  if (source === undefined) {
    if (tryOpen('/proc/thread-self/schedstat', parseSchedstat)) source = 'schedstat'
    else if (tryOpen('/proc/thread-self/stat', parseStat)) source = 'stat'
    else source = 'process'
  }
  return source
}

/** CPU seconds (user + system) used so far by the calling thread. */
export function threadCpuSeconds(): number {
  switch (init()) {
    case 'schedstat':
      return parseSchedstat(readProc())
    case 'stat':
      return parseStat(readProc())
    case 'process': {
      const { user, system } = process.cpuUsage()
      return (user + system) / 1e6
    }
  }
}

/** Where threadCpuSeconds() reads from.
 *  @public (test/runtime/sandbox-permissions.test.ts calls it in a child process) */
export function threadCpuSource(): ThreadCpuSource {
  return init()
}

/** How far below the truth a reading can be, in seconds. The kernel folds a running thread's time into both files
 *  only at scheduler ticks (measured here: schedstat steps of 4 ms, HZ=250), so allow one tick at HZ=100; stat also
 *  truncates utime and stime to a tick each. */
export function threadCpuGranularity(): number {
  switch (init()) {
    case 'schedstat':
      return 1 / TICKS_PER_SECOND
    case 'stat':
      return 3 / TICKS_PER_SECOND
    case 'process':
      return 1e-3
  }
}
