// A bounded log kept as two files, PREFIX.old and PREFIX.new (Repy's circular log, with a configurable size):
// writes go to .new; when it reaches half the size it replaces .old. Reading gives the last `size` bytes at most.
import { appendFileSync, existsSync, readFileSync, renameSync, statSync } from 'node:fs'

export const DEFAULT_LOG_BYTES = 1 << 20

export class RingLog {
  private readonly half: number
  private newSize: number

  constructor(
    private readonly prefix: string,
    size = DEFAULT_LOG_BYTES,
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
      appendFileSync(this.newPath, chunk)
      this.newSize += chunk.length
      bytes = bytes.subarray(chunk.length)
      if (this.newSize >= this.half) {
        renameSync(this.newPath, this.oldPath)
        this.newSize = 0
      }
    }
  }

  read(): Buffer {
    const part = (p: string) => (existsSync(p) ? readFileSync(p) : Buffer.alloc(0))
    return Buffer.concat([part(this.oldPath), part(this.newPath)])
  }
}
