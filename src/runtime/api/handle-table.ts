// A vessel's handles of one kind (its open files, sockets, listeners), by the id the program holds. A handle the
// program closes is forgotten at once: the host holds memory only for what is open, however often a program opens
// and closes (a closed connection kept its 128 KB of rings until the vessel ended: a program that connected and
// closed in a loop grew the sandbox host, which every vessel of the node shares, without bound).
import { RepyError } from '../errors.js'
import { int } from './validate.js'
import type { GuestValue } from './types.js'

export class HandleTable<H> {
  private readonly open = new Map<number, H>()
  /** The highest id added. Ids are given out in increasing order, from 1 (by the vessel's broker or the table's
   *  owner), so an id up to it that is not open was closed; a program only holds ids the runtime gave it (the
   *  prelude's handle objects), so one above it, or of another kind, can come only from a forged call. */
  private highest = 0

  /** `what`: the kind, as a refusal names it ('socket', 'file'). */
  constructor(private readonly what: string) {}

  add(id: number, handle: H): void {
    this.open.set(id, handle)
    if (id > this.highest) this.highest = id
  }

  /** The open handle `v` names, or null if the program closed it; RepyArgumentError if it names none of this kind. */
  find(fn: string, v: GuestValue): H | null {
    const id = int(fn, 'handle', v)
    const handle = this.open.get(id)
    if (handle !== undefined) return handle
    if (id >= 1 && id <= this.highest) return null
    throw new RepyError('RepyArgumentError', `${fn}: not a ${this.what}`)
  }

  /** Forgets the handle: its id now reads as closed. */
  close(id: number): void {
    this.open.delete(id)
  }

  /** The open handles. */
  values(): IterableIterator<H> {
    return this.open.values()
  }

  get size(): number {
    return this.open.size
  }
}
