// What a process tree costs the machine, read from /proc (Linux): cpu time, RSS, and the memory only it holds.
import { readFileSync, readdirSync } from 'node:fs'

const TICK_MS = 10 // USER_HZ is 100 on Linux

/** Fields of /proc/<pid>/stat after the command name, numbered as in proc(5) minus 3 (state is 0). */
function statFields(pid: number | 'self'): string[] {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
}

/** Cpu milliseconds (user + system) the process has used. */
export function cpuMs(pid: number): number {
  const f = statFields(pid)
  return (Number(f[11]) + Number(f[12])) * TICK_MS
}

/** Cpu milliseconds of this process's children that have ended and been waited for (their children included). */
export function childrenCpuMs(): number {
  const f = statFields('self')
  return (Number(f[13]) + Number(f[14])) * TICK_MS
}

/** The process's direct children. */
export function childPids(pid: number): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (Number(statFields(Number(entry))[1]) === pid) pids.push(Number(entry))
    } catch {
      /* gone */
    }
  }
  return pids
}

export interface Memory {
  /** Resident set size, kB: counts the pages shared with other processes (Node's own binary) in each process. */
  rss: number
  /** Pages only this process holds, kB. */
  private: number
  /** Resident pages it shares with other processes (mostly the node binary's code), kB. */
  shared: number
}

export function memory(pid: number): Memory {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0)
  return {
    rss: kb('Rss'),
    private: kb('Private_Clean') + kb('Private_Dirty'),
    shared: kb('Shared_Clean') + kb('Shared_Dirty'),
  }
}

/** A group of processes on one machine: the sum of their RSS, and their footprint, the memory the machine would get
 *  back without them: what each holds alone, plus the shared pages once (the largest process's, which the others'
 *  Node code pages are part of). */
export function groupMemory(pids: number[]): { rssKb: number; footprintKb: number } {
  const m = pids.map(memory)
  return {
    rssKb: m.reduce((sum, x) => sum + x.rss, 0),
    footprintKb: m.reduce((sum, x) => sum + x.private, 0) + Math.max(0, ...m.map((x) => x.shared)),
  }
}
