// What crosses the guest boundary (QuickJS <-> host): the values every operation takes and returns, and what the
// host-side channels carry for them.

/** A value that crosses the guest boundary, by copy; GuestBytes only as a sending operation's data (ops.ts). */
export type GuestValue =
  string | number | boolean | null | undefined | GuestValue[] | { [key: string]: GuestValue } | NotCopied | GuestBytes

/** A guest argument the bridge did not copy (an object, array, function, symbol or bigint: no operation takes one),
 *  so that marshalling a giant array costs nothing; every validator refuses it, naming its kind. */
export class NotCopied {
  constructor(readonly kind: string) {}
}

// A socket's data went from QuickJS's memory into a host string, and from that string into the connection's ring
// (and back the same way): the strings were about a fifth of a 4 KiB send and recv, and most of the garbage the
// worker's V8 collected. These two carry bytes between QuickJS's memory and a ring with one copy.

/** A guest byte string's characters where QuickJS keeps them (a narrow string: one byte each), lent to an operation
 *  for its call only: QuickJS may move or free them once the call is over, and then they are refused. */
export class GuestBytes {
  private lent = true

  constructor(
    private readonly memory: () => Uint8Array,
    private readonly start: number,
    readonly length: number,
  ) {}

  /** Copies the bytes [from, to) to `target` at `at`. */
  copyTo(target: Buffer, at: number, from: number, to: number): void {
    copyBytes(this.view(from, to), target, at)
  }

  /** The bytes as a byte string the host keeps (for an operation that must hold them past its call). */
  toString(): string {
    const v = this.view(0, this.length)
    return Buffer.from(v.buffer, v.byteOffset, v.length).toString('latin1')
  }

  /** The call is over. */
  end(): void {
    this.lent = false
  }

  private view(from: number, to: number): Uint8Array {
    if (!this.lent) throw new Error('guest bytes used after their call')
    return this.memory().subarray(this.start + from, this.start + to)
  }
}

/** Bytes an operation answers with, still where they wait (a connection's ring): the bridge copies them straight
 *  into the guest's memory as it makes the guest's string, and only once that string is made are they taken from
 *  there, so a guest out of memory loses none. Taken in the turn they are answered in (the operation's call, or the
 *  wake-up that settles its Later): no other guest code may run before, or it could take the same bytes. */
export abstract class OutBytes {
  abstract readonly length: number
  /** Copies the bytes to `target` at `at`. */
  abstract copyTo(target: Buffer, at: number): void
  /** Takes them: they are gone from where they waited. */
  abstract take(): void

  /** The bytes as a byte string, not taken. */
  abstract peek(): string

  /** Takes them as a byte string. */
  toString(): string {
    const s = this.peek()
    this.take()
    return s
  }
}

/** An answer that is held past the turn it came in: bytes are taken now, as a string. */
export function takenNow<T>(value: T | OutBytes): T | string {
  return value instanceof OutBytes ? value.toString() : value
}

/** Copies `source` into `target` at `at`, as memcpy does. Between shared memory (a ring) and memory that is not
 *  (QuickJS's), TypedArray's set copies with relaxed atomics, a word at a time, and a byte at a time where the two
 *  are not aligned alike: 1 µs for 4 KiB, against 0.1 µs through Buffer's fill, which copies a buffer value once
 *  when it is exactly as long as the range. */
export function copyBytes(source: Uint8Array, target: Buffer, at: number): void {
  if (source.length > 0) target.fill(source, at, at + source.length)
}
