// The files of a vessel directory, as the node manager sees them (AddFileToVessel & co.). Uploads are written to
// <data>/tmp and renamed into place, so a crash never leaves a half-written file under its final name.
// Each vessel's disk use is counted once (at its first upload) and then kept up to date by every upload and delete
// here; the owner of the Lifecycle forgets it when a program ends, since programs write files too. When the sandbox
// host runs as another user, the vessel directories and every file put there are that user's.
import { randomBytes } from 'node:crypto'
import { readdirSync, statSync, type Dirent } from 'node:fs'
import { chown, mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { NodeError } from '../protocol/errors.js'
import { MAX_FILE_BYTES } from '../protocol/messages.js'
import { isValidFilename } from '../protocol/validate.js'
import { FILE_OVERHEAD } from '../runtime/api/files.js'
import { vesselDir, type NodePaths } from './node-paths.js'

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException)?.code === 'ENOENT'

/**
 * A directory no bigger than this (its own size, as stat gives it: on ext4 a block per about a hundred short names,
 * on tmpfs and btrfs a few dozen bytes per name) is listed synchronously, on the main thread: a vessel's directory
 * usually holds a few files, and listing them so costs the node about 3 µs of cpu, where a readdir through the thread
 * pool costs 30-35 (its hand-over and two wake-ups) and puts a hop on the request's way. A bigger directory (thousands
 * of files take milliseconds to list) still goes through the pool, so it does not hold up the other requests.
 */
export const SYNC_LIST_DIR_BYTES = 8 * 1024

/** An unexpected file-system failure (an internal error): what the node was doing, the system error as its cause. */
function failure(what: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException)?.code
  return new Error(code === undefined ? what : `${what} (${code})`, { cause: err })
}

/** The user and group the vessels' files belong to (the sandbox host's), when it is not the node manager's. */
export interface FileOwner {
  uid: number
  gid: number
}

export class VesselFiles {
  private readonly used = new Map<string, number>()

  constructor(
    private readonly paths: NodePaths,
    private readonly owner?: FileOwner,
  ) {}

  dir(vessel: string): string {
    return vesselDir(this.paths, vessel)
  }

  async ensureDir(vessel: string): Promise<void> {
    await mkdir(this.dir(vessel), { recursive: true })
    if (this.owner) await chown(this.dir(vessel), this.owner.uid, this.owner.gid)
  }

  /** Every regular file with a valid name, sorted; private_* included only when asked. */
  async list(vessel: string, includePrivate = false): Promise<string[]> {
    let entries: Dirent[]
    try {
      entries = await readEntries(this.dir(vessel))
    } catch (err) {
      if (isMissing(err)) return []
      throw failure(`cannot list the files of ${vessel}`, err)
    }
    return entries
      .filter((e) => e.isFile() && isValidFilename(e.name) && (includePrivate || !e.name.startsWith('private_')))
      .map((e) => e.name)
      .sort()
  }

  /** Disk use as the nanny counts it: Σ file size + 4096 per file. Call under the vessel's lock. */
  async diskUsed(vessel: string): Promise<number> {
    const known = this.used.get(vessel)
    if (known !== undefined) return known
    let total = 0
    for (const name of await this.list(vessel, true)) total += ((await this.size(vessel, name)) ?? 0) + FILE_OVERHEAD
    this.used.set(vessel, total)
    return total
  }

  /** Someone else changed the vessel's files (its program): count them again when next needed. */
  forgetDiskUse(vessel: string): void {
    this.used.delete(vessel)
  }

  private adjustDiskUse(vessel: string, bytes: number): void {
    const known = this.used.get(vessel)
    if (known !== undefined) this.used.set(vessel, known + bytes)
  }

  async size(vessel: string, name: string): Promise<number | undefined> {
    try {
      const s = await stat(join(this.dir(vessel), name))
      return s.isFile() ? s.size : undefined
    } catch (err) {
      if (isMissing(err)) return undefined
      throw failure(`cannot look at '${name}' in ${vessel}`, err)
    }
  }

  /** Whether `name` is a regular file of the vessel. Synchronous: StartVessel asks it on its way to the sandbox host,
   *  and a stat through the thread pool was one more hand-over there (a local stat takes microseconds). */
  exists(vessel: string, name: string): boolean {
    try {
      return statSync(join(this.dir(vessel), name)).isFile()
    } catch (err) {
      if (isMissing(err)) return false
      throw failure(`cannot look at '${name}' in ${vessel}`, err)
    }
  }

  async read(vessel: string, name: string): Promise<Uint8Array> {
    const size = await this.size(vessel, name)
    if (size === undefined) throw new NodeError('E_NOT_FOUND', `no file '${name}' in ${vessel}`)
    if (size > MAX_FILE_BYTES) {
      throw new NodeError(
        'E_SIZE',
        `${name} is ${size} bytes; files larger than ${MAX_FILE_BYTES} bytes cannot be retrieved`,
      )
    }
    try {
      return new Uint8Array(await readFile(join(this.dir(vessel), name)))
    } catch (err) {
      throw failure(`cannot read '${name}' in ${vessel}`, err)
    }
  }

  /** Writes (or replaces) a file if the vessel's disk quota allows: E_QUOTA otherwise, and nothing is written. */
  async write(vessel: string, name: string, data: Uint8Array, diskQuota: number): Promise<void> {
    const used = await this.diskUsed(vessel)
    const old = await this.size(vessel, name)
    const after = used - (old === undefined ? 0 : old + FILE_OVERHEAD) + data.length + FILE_OVERHEAD
    if (after > diskQuota) {
      throw new NodeError(
        'E_QUOTA',
        `not enough disk space in ${vessel}: ${name} needs ${data.length + FILE_OVERHEAD} bytes (with ${FILE_OVERHEAD} per file), ` +
          `${Math.max(0, diskQuota - used + (old === undefined ? 0 : old + FILE_OVERHEAD))} of the quota ${diskQuota} are free`,
      )
    }
    await mkdir(this.paths.tmp, { recursive: true, mode: 0o700 })
    await this.ensureDir(vessel)
    const temp = join(this.paths.tmp, `${vessel}-${randomBytes(8).toString('hex')}`)
    try {
      await writeFile(temp, data, { flush: true })
      if (this.owner) await chown(temp, this.owner.uid, this.owner.gid)
      await rename(temp, join(this.dir(vessel), name))
    } catch (err) {
      await rm(temp, { force: true })
      this.forgetDiskUse(vessel)
      throw failure(`cannot write '${name}' into ${vessel}`, err)
    }
    this.adjustDiskUse(vessel, after - used)
  }

  async remove(vessel: string, name: string): Promise<void> {
    const size = await this.size(vessel, name)
    try {
      await unlink(join(this.dir(vessel), name))
    } catch (err) {
      this.forgetDiskUse(vessel)
      if (isMissing(err)) throw new NodeError('E_NOT_FOUND', `no file '${name}' in ${vessel}`, { cause: err })
      throw failure(`cannot delete '${name}' in ${vessel}`, err)
    }
    if (size === undefined) this.forgetDiskUse(vessel)
    else this.adjustDiskUse(vessel, -(size + FILE_OVERHEAD))
  }

  /** Deletes every file except private_* (ResetVessel). */
  async clear(vessel: string): Promise<void> {
    this.forgetDiskUse(vessel)
    for (const name of await this.list(vessel)) await rm(join(this.dir(vessel), name), { force: true })
  }

  /** Removes the vessel directory altogether (the vessel was split or joined away). */
  async destroy(vessel: string): Promise<void> {
    this.forgetDiskUse(vessel)
    await rm(this.dir(vessel), { recursive: true, force: true })
  }

  /** At startup: forgets temp files and removes directories of vessels that no longer exist, creates missing ones. */
  async reconcile(vessels: readonly string[]): Promise<void> {
    await rm(this.paths.tmp, { recursive: true, force: true })
    await mkdir(this.paths.files, { recursive: true })
    const keep = new Set(vessels)
    for (const entry of await readdir(this.paths.files)) if (!keep.has(entry)) await this.destroy(entry)
    for (const name of vessels) {
      await this.ensureDir(name)
      // files left by a node that ran its sandbox host as root become the sandbox user's
      if (this.owner)
        for (const entry of await readdir(this.dir(name)))
          await chown(join(this.dir(name), entry), this.owner.uid, this.owner.gid)
    }
  }
}

/** Every entry of `path`: synchronously if the directory is small (SYNC_LIST_DIR_BYTES), else through the pool. */
async function readEntries(path: string): Promise<Dirent[]> {
  if (statSync(path).size <= SYNC_LIST_DIR_BYTES) return readdirSync(path, { withFileTypes: true })
  return readdir(path, { withFileTypes: true })
}
