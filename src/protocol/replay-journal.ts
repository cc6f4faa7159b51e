// The replay guard's entries in append-only files, written synchronously on the calling thread: a request's nonce is
// in the operating system's hands (as LevelDB's unsynced write put it) before the request's check resolves, without
// the round trip to the thread pool and back that a LevelDB write is. That round trip was most of what a lone
// request cost the node beyond its signature: a write per request when requests come one at a time, so a turn of the
// event loop and a wake-up of a pool thread and then of the main thread for each.
// One file per minute of expiry (`<dir>/<bucket>.log`, a JSON line per entry): once its bucket has ended a file
// holds only expired entries, and pruning deletes it whole. A line cut short by a crash is skipped when loading, and
// the file gets a newline before anything more is appended to it, so the next entry stays whole.
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import type { ReplayEntry, ReplayStore } from './replay-guard.js'

/** The span of expiry times one file holds: an expired entry stays on disk at most this long (and is never loaded). */
const BUCKET_MS = 60_000
/** Files kept open for appending; a node accepts requests that expire at most 65 minutes ahead (signing.ts). */
const MAX_OPEN_FILES = 72
const FILE_NAME = /^(\d+)\.log$/

/** The `replay` sublevel where stores of older nodes and pools kept the entries, keyed `<expiry>!<nonce>!<key>`. */
export interface OlderReplayLevel {
  values(options: { gte: string }): { all(): Promise<ReplayEntry[]> }
  clear(): Promise<void>
}

/** The journal in `dir`, with the live entries of an older store's sublevel moved into it (and the sublevel emptied). */
export async function openReplayJournal(
  dir: string,
  older: OlderReplayLevel,
  now = Date.now(),
): Promise<JournalReplayStore> {
  const journal = new JournalReplayStore(dir)
  for (const entry of await older.values({ gte: String(now + 1).padStart(16, '0') }).all()) await journal.add(entry)
  await older.clear()
  return journal
}

export class JournalReplayStore implements ReplayStore {
  private readonly open = new Map<number, number>()

  /** The folder is made if missing. */
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true })
  }

  async load(now: number): Promise<ReplayEntry[]> {
    const entries: ReplayEntry[] = []
    for (const { bucket, path } of this.files()) {
      if (bucketEnd(bucket) <= now) continue
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        const entry = parseEntry(line)
        if (entry !== undefined && entry.expiry > now) entries.push(entry)
      }
    }
    return entries
  }

  add(entry: ReplayEntry): Promise<void> {
    try {
      const line = Buffer.from(JSON.stringify(entry) + '\n', 'utf8')
      const fd = this.fileOf(Math.floor(entry.expiry / BUCKET_MS))
      for (let at = 0; at < line.length;) at += writeSync(fd, line, at)
      return Promise.resolve()
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** Deletes the files whose bucket has ended (every entry in them has expired). */
  async prune(now: number): Promise<void> {
    for (const { bucket, path } of this.files()) {
      if (bucketEnd(bucket) > now) continue
      this.closeFile(bucket)
      unlinkSync(path)
    }
  }

  close(): void {
    for (const bucket of [...this.open.keys()]) this.closeFile(bucket)
  }

  private files(): Array<{ bucket: number; path: string }> {
    return readdirSync(this.dir).flatMap((name) => {
      const match = FILE_NAME.exec(name)
      return match === null ? [] : [{ bucket: Number(match[1]), path: join(this.dir, name) }]
    })
  }

  private fileOf(bucket: number): number {
    let fd = this.open.get(bucket)
    if (fd !== undefined) return fd
    if (this.open.size >= MAX_OPEN_FILES) this.close()
    fd = openSync(join(this.dir, `${bucket}.log`), 'a+')
    try {
      // a line cut short by a crash is ended here, so that the next entry starts a line of its own
      const size = fstatSync(fd).size
      const last = Buffer.alloc(1)
      if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) writeSync(fd, '\n')
    } catch (err) {
      closeSync(fd)
      throw err
    }
    this.open.set(bucket, fd)
    return fd
  }

  private closeFile(bucket: number): void {
    const fd = this.open.get(bucket)
    if (fd === undefined) return
    this.open.delete(bucket)
    closeSync(fd)
  }
}

const bucketEnd = (bucket: number): number => (bucket + 1) * BUCKET_MS

/** An entry from a line of the journal; undefined for a line cut short or not an entry. */
function parseEntry(line: string): ReplayEntry | undefined {
  if (line === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const { key, nonce, expiry, owner } = value as Record<string, unknown>
  if (typeof key !== 'string' || typeof nonce !== 'string' || typeof expiry !== 'number') return undefined
  return { key, nonce, expiry, ...(owner === true ? { owner: true } : {}) }
}
