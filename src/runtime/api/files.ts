// openfile (readat/writeat/close), listfiles, removefile: the vessel directory is the program's whole file area.
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { RepyError } from '../errors.js'
import { HandleTable } from './handle-table.js'
import { argCount, bool, data, filename, int, intOrNull } from './validate.js'
import type { GuestValue, OpTable, VesselEnv } from './types.js'

export const BLOCK = 4096
/** Every file costs one block of disk on top of its size (Repy's accounting). */
export const FILE_OVERHEAD = BLOCK

/** Repy's charge for touching bytes [offset, offset+length): whole 4 KiB blocks. */
export function blocksCharged(offset: number, length: number): number {
  const end = offset + length
  return (Math.floor(end / BLOCK) - Math.floor(offset / BLOCK) + (end % BLOCK > 0 ? 1 : 0)) * BLOCK
}

/** Disk use of a vessel directory as the nanny counts it: sizes plus one block per file. */
export function diskUsedIn(dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) total += statSync(join(dir, entry.name)).size + FILE_OVERHEAD
  }
  return total
}

interface OpenFile {
  name: string
  fd: number
  size: number
}

export function fileOps(
  env: VesselEnv,
): OpTable<'openfile' | 'file.readat' | 'file.writeat' | 'file.close' | 'listfiles' | 'removefile'> {
  const handles = new HandleTable<OpenFile>('file')
  const openByName = new Map<string, OpenFile>()
  let nextId = 1
  const { nanny } = env
  env.atTeardown(() => {
    for (const f of handles.values()) closeSync(f.fd)
  })

  const handle = (fn: string, v: GuestValue): OpenFile => {
    const f = handles.find(fn, v)
    if (f === null) throw new RepyError('FileClosedError', `${fn}: the file is closed`)
    return f
  }

  /** An offset argument: an integer ≥ 0 and not past the end of the file (the end itself is allowed). */
  const withinFile = (fn: string, f: OpenFile, v: GuestValue): number => {
    const offset = int(fn, 'offset', v)
    if (offset > f.size)
      throw new RepyError(
        'SeekPastEndOfFileError',
        `${fn}: offset ${offset} is past the end of '${f.name}' (${f.size} bytes)`,
      )
    return offset
  }

  return {
    openfile(args) {
      argCount('openfile', args, 2)
      const name = filename('openfile', args[0])
      const create = bool('openfile', 'create', args[1])
      if (openByName.has(name)) throw new RepyError('FileInUseError', `openfile: '${name}' is already open`)
      nanny.acquire('filesopened', name)
      try {
        const path = join(env.cwd, name)
        nanny.waitFor('fileread')
        const exists = existsSync(path)
        nanny.charge('fileread', BLOCK)
        if (!exists) {
          if (!create) throw new RepyError('FileNotFoundError', `openfile: '${name}' does not exist`)
          nanny.waitFor('filewrite') // may refuse (filewrite 0): before the disk is charged
          nanny.chargeDisk(FILE_OVERHEAD)
        }
        let fd: number
        try {
          fd = openSync(path, exists ? 'r+' : 'w+', 0o600)
        } catch (err) {
          if (!exists) nanny.chargeDisk(-FILE_OVERHEAD) // nothing was created
          throw err
        }
        if (!exists) nanny.charge('filewrite', BLOCK)
        const f: OpenFile = { name, fd, size: fstatSync(fd).size }
        const id = nextId++
        handles.add(id, f)
        openByName.set(name, f)
        return id
      } catch (err) {
        nanny.release('filesopened', name)
        throw err
      }
    },

    'file.readat'(args) {
      const f = handle('readat', args[0])
      argCount('readat', args.slice(1), 2)
      const sizelimit = intOrNull('readat', 'sizelimit', args[1])
      const offset = withinFile('readat', f, args[2])
      const length = Math.min(sizelimit ?? Infinity, f.size - offset)
      nanny.waitFor('fileread')
      const buf = Buffer.alloc(length)
      const read = length > 0 ? readSync(f.fd, buf, 0, length, offset) : 0
      nanny.charge('fileread', blocksCharged(offset, read))
      return buf.toString('latin1', 0, read)
    },

    'file.writeat'(args) {
      const f = handle('writeat', args[0])
      argCount('writeat', args.slice(1), 2)
      const bytes = data('writeat', 'data', args[1])
      const offset = withinFile('writeat', f, args[2])
      const growth = Math.max(0, offset + bytes.length - f.size)
      nanny.waitFor('filewrite') // may refuse (filewrite 0): before the disk is charged
      nanny.chargeDisk(growth) // refuses before anything is written
      try {
        writeSync(f.fd, bytes, 0, bytes.length, offset)
      } catch (err) {
        nanny.chargeDisk(-growth)
        throw err
      }
      f.size += growth
      nanny.charge('filewrite', blocksCharged(offset, bytes.length))
      return undefined
    },

    'file.close'(args) {
      const f = handle('close', args[0])
      argCount('close', args.slice(1), 0)
      handles.close(args[0] as number)
      closeSync(f.fd)
      openByName.delete(f.name)
      nanny.release('filesopened', f.name)
      return undefined
    },

    listfiles(args) {
      argCount('listfiles', args, 0)
      nanny.waitFor('fileread')
      const names = readdirSync(env.cwd).sort()
      nanny.charge('fileread', BLOCK)
      return names
    },

    removefile(args) {
      argCount('removefile', args, 1)
      const name = filename('removefile', args[0])
      if (openByName.has(name)) throw new RepyError('FileInUseError', `removefile: '${name}' is open`)
      const path = join(env.cwd, name)
      nanny.waitFor('fileread')
      const size = existsSync(path) ? statSync(path).size : -1
      nanny.charge('fileread', BLOCK)
      if (size < 0) throw new RepyError('FileNotFoundError', `removefile: '${name}' does not exist`)
      nanny.waitFor('filewrite')
      unlinkSync(path)
      nanny.chargeDisk(-(size + FILE_OVERHEAD))
      nanny.charge('filewrite', BLOCK)
      return undefined
    },
  }
}
