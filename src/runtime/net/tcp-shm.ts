// A TCP connection's bytes, shared between the vessel's worker and the sandbox host's main thread. A blocking
// round trip to the main thread for every send and recv made both wait for the other thread to be scheduled, a
// cost paid on every call; here the worker puts what the program sends into a send ring and takes what arrived out
// of a receive ring, and only asks the main thread (a message, never waited for) when there is work for it there.
// Each side writes only its own counters; both only ever grow (modulo 2^32), so a reader sees a consistent ring.
// On a direct connection (both ends on this host, local-ends.ts) each end's worker takes what the other end's
// program sent straight out of that end's send ring, and the host moves no bytes.
//
// `ctl` (the counters and flags) exists from the moment the host tracks a connection, so that a peer on the same
// host can be linked to it; the rings come when the program, or the program of its direct peer, takes an end.
import { Buffer } from 'node:buffer'
import { copyBytes, OutBytes, type GuestBytes } from '../guest-value.js'

/** Each ring's size (a power of two): what a connection holds each way between the program and the socket. */
export const RING_BYTES = 64 * 1024
const MASK = RING_BYTES - 1

// Control words: an Int32 each.
const RECV_HEAD = 0 // worker: bytes taken out of the receive ring
const RECV_TAIL = 1 // host: bytes put into it
const SEND_HEAD = 2 // host (on a direct connection, the peer's worker): bytes taken out of the send ring
const SEND_TAIL = 3 // worker: bytes put into it: everything this end's program has sent
const FLAGS = 4
const ASKED = 5 // worker -> host: work it asked for that the host has not started
const WAITING = 6 // worker: what it waits for; the host (or the peer's worker) wakes it when that may have changed
const KEY = 7 // host: a number no other connection of this host has, so that a worker knows its own
const CTL_BYTES = 8 * 4
let lastKey = 0

/** FLAGS. Host: the peer closed or reset the connection, or the socket failed. */
export const REMOTE_CLOSED = 1
/** FLAGS. Host: it holds received bytes that did not fit in the ring. */
export const BACKLOG = 2
/** FLAGS. This end sends nothing more: its program closed it (set by the worker) or its socket is gone (the host). */
export const CLOSED = 4

/** ASKED. The send ring has bytes for the socket. */
export const DRAIN = 1
/** ASKED. The receive ring has room for the backlog. */
export const ROOM = 2
/** ASKED. The peer (direct, in another worker) waited for what this end just did: the host wakes it. This end
 *  took the peer's WAITING bit already, so the host wakes it without looking there. */
export const WAKE_PEER = 4

/** WAITING. For bytes in the receive ring or the end of the stream. */
export const READ = 1
/** WAITING. For room in the send ring. */
export const WRITE = 2

/** One end's control words. The peer's end is read through this too (how much it sent, whether it closed). */
export class TcpCtl {
  readonly ctl: SharedArrayBuffer
  protected readonly w: Int32Array

  /** The words in `ctl`; new ones (on the host) when none are given. */
  constructor(ctl?: SharedArrayBuffer) {
    this.ctl = ctl ?? new SharedArrayBuffer(CTL_BYTES)
    this.w = new Int32Array(this.ctl)
    if (!ctl) Atomics.store(this.w, KEY, ++lastKey)
  }

  key(): number {
    return Atomics.load(this.w, KEY)
  }

  flags(): number {
    return Atomics.load(this.w, FLAGS)
  }
  setFlags(bits: number): void {
    Atomics.or(this.w, FLAGS, bits)
  }
  clearFlags(bits: number): void {
    Atomics.and(this.w, FLAGS, ~bits)
  }
  recvFill(): number {
    return (Atomics.load(this.w, RECV_TAIL) - Atomics.load(this.w, RECV_HEAD)) | 0
  }
  sendFill(): number {
    return (Atomics.load(this.w, SEND_TAIL) - Atomics.load(this.w, SEND_HEAD)) | 0
  }

  /** Worker: asks for `bit`; true when it was not asked already (then the host must be told). */
  ask(bit: number): boolean {
    return (Atomics.or(this.w, ASKED, bit) & bit) === 0
  }
  /** Host: takes the request `bit` before doing the work, so that a later ask is not lost. */
  take(bit: number): void {
    Atomics.and(this.w, ASKED, ~bit)
  }
  /** Host: what the worker has asked for. */
  asked(): number {
    return Atomics.load(this.w, ASKED)
  }
  /** Worker: waits for `bits`. */
  wait(bits: number): void {
    Atomics.or(this.w, WAITING, bits)
  }
  /** Host: whether the worker waited for any of `bits` (which it then no longer does). */
  woken(bits: number): boolean {
    return (Atomics.and(this.w, WAITING, ~bits) & bits) !== 0
  }
}

/** One end's control words and rings. */
export class TcpShared extends TcpCtl {
  private readonly recvRing: Buffer
  private readonly sendRing: Buffer

  constructor(readonly shm: { ctl: SharedArrayBuffer; data: SharedArrayBuffer }) {
    super(shm.ctl)
    this.recvRing = Buffer.from(shm.data, 0, RING_BYTES)
    this.sendRing = Buffer.from(shm.data, RING_BYTES, RING_BYTES)
  }

  /** Host: the rings for an end whose control words exist. */
  static forCtl(ctl: TcpCtl): TcpShared {
    return new TcpShared({ ctl: ctl.ctl, data: new SharedArrayBuffer(2 * RING_BYTES) })
  }

  /** Worker: up to `max` received bytes, taken once the caller has copied them (`taken` runs then); null if none. */
  received(max: number, taken: () => void): OutBytes | null {
    const n = Math.min(max, this.recvFill())
    return n > 0 ? new RingBytes(this.w, this.recvRing, RECV_HEAD, n, taken) : null
  }

  /** Worker of the peer of a direct connection: up to `max` bytes of this end's send ring, taken as received() are;
   *  null if none. */
  sent(max: number, taken: () => void): OutBytes | null {
    const n = Math.min(max, this.sendFill())
    return n > 0 ? new RingBytes(this.w, this.sendRing, SEND_HEAD, n, taken) : null
  }

  /** Worker: puts the first `n` bytes of a byte string (n <= the room left) into the send ring. */
  putSent(data: string | GuestBytes, n: number): void {
    const tail = Atomics.load(this.w, SEND_TAIL)
    const at = tail & MASK
    const first = Math.min(n, RING_BYTES - at)
    if (typeof data !== 'string') {
      data.copyTo(this.sendRing, at, 0, first)
      if (n > first) data.copyTo(this.sendRing, 0, first, n)
    } else {
      this.sendRing.write(first === data.length ? data : data.slice(0, first), at, first, 'latin1')
      if (n > first) this.sendRing.write(data.slice(first, n), 0, n - first, 'latin1')
    }
    Atomics.store(this.w, SEND_TAIL, (tail + n) | 0)
  }

  /** Host: puts as much of `chunk` as fits into the receive ring; returns how much. */
  putReceived(chunk: Buffer): number {
    const tail = Atomics.load(this.w, RECV_TAIL)
    const n = Math.min(chunk.length, RING_BYTES - this.recvFill())
    const at = tail & MASK
    const first = Math.min(n, RING_BYTES - at)
    copyBytes(chunk.subarray(0, first), this.recvRing, at)
    if (n > first) copyBytes(chunk.subarray(first, n), this.recvRing, 0)
    Atomics.store(this.w, RECV_TAIL, (tail + n) | 0)
    return n
  }

  /** Host: everything in the send ring, copied out (the socket keeps it until it is flushed). */
  takeSent(): Buffer {
    const head = Atomics.load(this.w, SEND_HEAD)
    const n = this.sendFill()
    const out = Buffer.allocUnsafe(n)
    const at = head & MASK
    const first = Math.min(n, RING_BYTES - at)
    copyBytes(this.sendRing.subarray(at, at + first), out, 0)
    if (n > first) copyBytes(this.sendRing.subarray(0, n - first), out, first)
    Atomics.store(this.w, SEND_HEAD, (head + n) | 0)
    return out
  }
}

/** Bytes waiting in a ring from its head (the word at `headIndex`, which only the taker moves): the head moves past
 *  them when they are taken, not before, so that the ring's writer cannot reuse their room while they are copied. */
class RingBytes extends OutBytes {
  private done = false

  constructor(
    private readonly w: Int32Array,
    private readonly ring: Buffer,
    private readonly headIndex: number,
    readonly length: number,
    private readonly taken: () => void,
  ) {
    super()
  }

  copyTo(target: Buffer, at: number): void {
    const start = Atomics.load(this.w, this.headIndex) & MASK
    const first = Math.min(this.length, RING_BYTES - start)
    copyBytes(this.ring.subarray(start, start + first), target, at)
    if (this.length > first) copyBytes(this.ring.subarray(0, this.length - first), target, at + first)
  }

  peek(): string {
    const start = Atomics.load(this.w, this.headIndex) & MASK
    const first = Math.min(this.length, RING_BYTES - start)
    const s = this.ring.toString('latin1', start, start + first)
    return this.length > first ? s + this.ring.toString('latin1', 0, this.length - first) : s
  }

  take(): void {
    if (this.done) throw new Error('ring bytes taken twice')
    this.done = true
    Atomics.add(this.w, this.headIndex, this.length)
    this.taken()
  }
}

// The vessel's own words, shared by all its connections.
const UNFLUSHED = 0 // host: the bytes held in Node's send buffers for all its sockets (closed ones still flushing too)
const NOTED = 1 // worker: it told the host that some connection asked for work, and the host has not looked yet

/** What the worker and the host share for a whole vessel. A note per request would cost a message and a wake-up
 *  of the host's thread each; requests made while one note is on its way ride along with it. */
export class VesselNet {
  private readonly w: Int32Array
  constructor(readonly sab: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.w = new Int32Array(sab)
  }
  /** Worker, read by it to refuse sends past the vessel's limit. */
  unflushed(): number {
    return Atomics.load(this.w, UNFLUSHED)
  }
  /** Host. */
  setUnflushed(bytes: number): void {
    Atomics.store(this.w, UNFLUSHED, Math.min(bytes, 2 ** 31 - 1))
  }
  /** Worker, after a connection asked for work: true when the host must be sent a note. */
  noting(): boolean {
    return Atomics.exchange(this.w, NOTED, 1) === 0
  }
  /** Host, before it looks at what its connections asked for. */
  noted(): void {
    Atomics.store(this.w, NOTED, 0)
  }
}
