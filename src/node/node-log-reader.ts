// Reading the node's log back (`flotilla node log`): the entries its ring holds, oldest first, whether or not the node
// runs. The ring's oldest line may have lost its beginning when the ring turned, and a node killed while writing may
// leave half a line at the end: lines that are not whole entries are skipped.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { isLogLevel } from '../log/logger.js'
import type { LogEntry } from './node-log.js'

/** The entries in the ring `prefix`.old/.new; null when neither file exists. */
export function readNodeLog(prefix: string): LogEntry[] | null {
  const oldPath = `${prefix}.old`
  const newPath = `${prefix}.new`
  if (!existsSync(oldPath) && !existsSync(newPath)) return null
  let bytes = Buffer.alloc(0)
  // The node may turn the ring (rename .new to .old) between the two reads: read again if .old changed meanwhile.
  // The bytes are joined before decoding: the ring may cut a character between its two files.
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = inode(oldPath)
    bytes = Buffer.concat([read(oldPath), read(newPath)])
    if (inode(oldPath) === before) break
  }
  return parseEntries(bytes.toString('utf8'))
}

export function parseEntries(text: string): LogEntry[] {
  const entries: LogEntry[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    try {
      const value = JSON.parse(line) as unknown
      if (isEntry(value)) entries.push(value)
    } catch {
      // a partial line at either end of the ring
    }
  }
  return entries
}

function isEntry(value: unknown): value is LogEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const { time, level, msg } = value as Record<string, unknown>
  return typeof time === 'string' && isLogLevel(level) && typeof msg === 'string'
}

const read = (path: string): Buffer => {
  try {
    return readFileSync(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0)
    throw err
  }
}

const inode = (path: string): number => {
  try {
    return statSync(path).ino
  } catch {
    return -1
  }
}
