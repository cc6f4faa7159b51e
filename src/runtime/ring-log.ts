// A bounded log kept as two files, PREFIX.old and PREFIX.new (Repy's circular log, with a configurable size):
// writes go to .new; when it reaches half the size it replaces .old. Reading gives the last `size` bytes at most.
// .new stays open between writes (a node writes a line per request: opening the file for each cost a third of the
// node's syscalls); close() before removing the files. One removed by someone else is noticed within a second (the
// lines written meanwhile went with it) and made again.
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, statSync, writeSync } from 'node:fs'

export const DEFAULT_LOG_BYTES = 1 << 20
const RECHECK_MS = 1000

export class RingLog {
  private readonly half: number
  private newSize: number
  private fd: number | null = null
  private checkedAt = 0

  constructor(
    private readonly prefix: string,
    size = DEFAULT_LOG_BYTES,
    private readonly now: () => number = Date.now,
  ) {
    this.half = Math.max(1024, Math.floor(size / 2))
    this.newSize = existsSync(this.newPath) ? statSync(this.newPath).size : 0
  }

  get oldPath(): string {
    return `${this.prefix}.old`
  }
  get newPath(): string {
    return `${this.prefix}.new`
  }

  write(text: string | Buffer): void {
    let bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text
    if (bytes.length > 2 * this.half) bytes = bytes.subarray(bytes.length - 2 * this.half)
    while (bytes.length > 0) {
      const room = this.half - this.newSize
      const chunk = bytes.subarray(0, room)
      this.append(chunk)
      this.newSize += chunk.length
      bytes = bytes.subarray(chunk.length)
      if (this.newSize >= this.half) {
        this.close()
        renameSync(this.newPath, this.oldPath)
        this.newSize = 0
      }
    }
  }

  /** Closes .new until the next write (which opens it again). */
  close(): void {
    if (this.fd === null) return
    const fd = this.fd
    this.fd = null
    closeSync(fd)
  }

  private append(chunk: Buffer): void {
    if (this.fd !== null && this.now() - this.checkedAt >= RECHECK_MS) {
      this.checkedAt = this.now()
      if (!existsSync(this.newPath)) this.close()
    }
    this.fd ??= openSync(this.newPath, 'a')
    try {
      for (let at = 0; at < chunk.length;) at += writeSync(this.fd, chunk, at)
    } catch (err) {
      // the next write opens the file again (it may have been removed under us)
      this.close()
      throw err
    }
  }

  read(): Buffer {
    const part = (p: string) => (existsSync(p) ? readFileSync(p) : Buffer.alloc(0))
    return Buffer.concat([part(this.oldPath), part(this.newPath)])
  }

  /** How many bytes the two files hold. */
  length(): number {
    return fileSize(this.oldPath) + fileSize(this.newPath)
  }

  /** The last `n` bytes held (all of them if fewer), read without the rest: a node answers each TailVesselLog from
   *  here, and reading both files whole took milliseconds a request once a vessel's log had filled. */
  readLast(n: number): Buffer {
    const oldSize = fileSize(this.oldPath)
    const newSize = fileSize(this.newPath)
    const out = Buffer.alloc(Math.max(0, Math.min(n, oldSize + newSize)))
    const fromNew = Math.min(out.length, newSize)
    const fromOld = out.length - fromNew
    readInto(this.oldPath, oldSize - fromOld, out.subarray(0, fromOld))
    readInto(this.newPath, newSize - fromNew, out.subarray(fromOld))
    return out
  }
}

const fileSize = (path: string): number => statSync(path, { throwIfNoEntry: false })?.size ?? 0

/** Fills `into` from `path` at `position` (the file only grows between the size and the read: one thread writes). */
function readInto(path: string, position: number, into: Buffer): void {
  if (into.length === 0) return
  const fd = openSync(path, 'r')
  try {
    for (let at = 0; at < into.length;) {
      const got = readSync(fd, into, at, into.length - at, position + at)
      if (got === 0) throw new Error(`${path} ended before its size`)
      at += got
    }
  } finally {
    closeSync(fd)
  }
}
