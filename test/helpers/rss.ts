// A process's resident memory, from /proc (Linux), for tests that check what a sandbox host gives back.
import { readFileSync } from 'node:fs'

/** The process's RSS in kB. */
export const rssKb = (pid: number): number =>
  Number(/^Rss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN)
