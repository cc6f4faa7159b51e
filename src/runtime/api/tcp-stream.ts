// The worker's half of a TCP connection's data path (net/tcp-shm.ts): send puts bytes into the send ring and recv
// takes them out of the receive ring, without waiting for the host; the host is asked (a note, kept until the
// guest lets the worker's event loop turn) when there is work for it. A direct connection, whose other end is on
// this host too (net/local-ends.ts), reads the peer's send ring instead and never involves the host: its recv sees
// at once what the peer sent, and that it closed, as Repy's recv would on loopback.
import { RepyError } from '../errors.js'
import { OutBytes, type GuestBytes } from '../guest-value.js'
import { Later } from '../later.js'
import type { NetChannel } from '../net/channel.js'
import {
  BACKLOG,
  CLOSED,
  DRAIN,
  READ,
  REMOTE_CLOSED,
  RING_BYTES,
  ROOM,
  TcpShared,
  WAKE_PEER,
  WRITE,
  type VesselNet,
} from '../net/tcp-shm.js'

/** No send is accepted while the vessel's sockets hold this much unsent (the host's Node buffers and the rings). */
const VESSEL_SEND_LIMIT = 1 << 20

const closedLocal = (fn: string) => new RepyError('SocketClosedLocal', `${fn}: the socket is closed`)
const closedRemote = (fn: string) => new RepyError('SocketClosedRemote', `${fn}: the peer closed the connection`)
// A polling program meets these at almost every call: made once (an Error captures a stack trace when made), they
// carry nothing of the call that raised them.
const NOTHING_ARRIVED = new RepyError('SocketWouldBlockError', 'recv: no data has arrived')
const SEND_RING_FULL = new RepyError('SocketWouldBlockError', 'send: the send buffer is full')
const VESSEL_FULL = new RepyError('SocketWouldBlockError', "send: the program's sockets hold too much unsent data")

const noop = (): void => {}

/** Not now: the call would block. */
const NOT_YET = Symbol('not yet')
/** What arrived is held back on the host (the ring was full): ask the host to move it into the ring. */
const ASK_HOST = Symbol('ask the host')

/** What a vessel's connections share in the worker. */
export interface WorkerVessel {
  net: VesselNet
  /** Bytes in all the program's send rings. */
  sendFill(): number
  /** How many connections the program holds. */
  sockets(): number
  /** The program's own connection with these control words (its key), if any. */
  byKey(key: number): TcpStream | undefined
}

export class TcpStream {
  private readonly shared: TcpShared
  /** A direct connection's other end: its send ring is this end's receive ring. */
  private readonly peer: TcpShared | null
  private closed = false

  constructor(
    readonly id: number,
    shm: { ctl: SharedArrayBuffer; data: SharedArrayBuffer },
    peer: { ctl: SharedArrayBuffer; data: SharedArrayBuffer } | null,
    private readonly net: NetChannel,
    private readonly vessel: WorkerVessel,
  ) {
    this.shared = new TcpShared(shm)
    this.peer = peer ? new TcpShared(peer) : null
  }

  key(): number {
    return this.shared.key()
  }

  /** Bytes in this connection's send ring, not yet taken by the host or the peer. */
  sendFill(): number {
    return this.shared.sendFill()
  }

  /** Puts what fits of a byte string into the send ring; returns how much. */
  send(s: string | GuestBytes): number {
    const sent = this.sendNow(s)
    if (sent === NOT_YET) throw this.overVesselLimit() ? VESSEL_FULL : SEND_RING_FULL
    return sent
  }

  private sendNow(s: string | GuestBytes): number | typeof NOT_YET {
    if (this.closed) throw closedLocal('send')
    if (this.shared.flags() & REMOTE_CLOSED || (this.peer && this.peer.flags() & CLOSED)) throw closedRemote('send')
    if (s.length === 0) return 0
    // A full ring, or the vessel's limit reached, may only mean the host has not caught up: it is asked (a
    // blocking call) before the program is told that the send would block. A direct peer is not waited for.
    let room = RING_BYTES - this.shared.sendFill()
    if (room === 0 && !this.peer) {
      this.net.callSync('tcp.drain', [this.id])
      room = RING_BYTES - this.shared.sendFill()
    }
    if (room === 0) return NOT_YET
    if (this.overVesselLimit()) {
      this.net.callSync('tcp.recount', [])
      if (this.overVesselLimit()) return NOT_YET
    }
    const n = Math.min(s.length, room)
    this.shared.putSent(s, n)
    if (!this.peer) this.ask(DRAIN)
    else if (this.peer.woken(READ)) this.wakePeer()
    return n
  }

  /** Up to `max` bytes that have arrived (taken as the caller copies them). */
  recv(max: number): OutBytes {
    let r = this.recvNow(max)
    if (r === ASK_HOST) {
      this.net.callSync('tcp.refill', [this.id])
      r = this.recvNow(max)
    }
    if (!(r instanceof OutBytes)) throw NOTHING_ARRIVED
    return r
  }

  /** recv, but waiting (a promise) rather than raising SocketWouldBlockError; `before` runs before each attempt
   *  (the caller's rate wait). */
  recvWhenReady(max: number, before: () => void): OutBytes | Later<OutBytes> {
    return this.tryRecv(max, before) ?? this.whenReady(READ, () => this.tryRecv(max, before))
  }

  /** send, but waiting (a promise) rather than raising SocketWouldBlockError. */
  sendWhenReady(data: string | GuestBytes, before: () => void): number | Later<number> {
    const first = this.trySend(data, before)
    if (first !== null) return first
    const kept = data.toString() // lent bytes are the guest's only during this call
    return this.whenReady(WRITE, () => this.trySend(kept, before))
  }

  // One attempt of recvWhenReady or sendWhenReady (null: not yet). Methods, not closures made for every call: most
  // calls succeed at their first attempt and need none.
  private tryRecv(max: number, before: () => void): OutBytes | null {
    before()
    const r = this.recvNow(max)
    return r instanceof OutBytes ? r : null
  }

  private trySend(data: string | GuestBytes, before: () => void): number | null {
    before()
    const sent = this.sendNow(data)
    return sent === NOT_YET ? null : sent
  }

  /** The program closed the connection: its peer on this host sees that at once, and its own waiting calls fail. */
  close(): void {
    this.closed = true
    this.shared.setFlags(CLOSED)
    queueMicrotask(() => this.net.wake(this.id))
    if (this.peer?.woken(READ | WRITE)) this.wakePeer()
  }

  private overVesselLimit(): boolean {
    const unflushed = this.vessel.net.unflushed()
    // Each ring holds at most RING_BYTES: with few sockets the rings cannot reach the limit, and are not summed.
    if (unflushed + this.vessel.sockets() * RING_BYTES < VESSEL_SEND_LIMIT) return false
    return unflushed + this.vessel.sendFill() >= VESSEL_SEND_LIMIT
  }

  private recvNow(max: number): OutBytes | typeof NOT_YET | typeof ASK_HOST {
    if (this.closed) throw closedLocal('recv')
    if (this.peer) return this.recvDirect(max)
    const flags = this.shared.flags()
    const got = this.shared.received(max, flags & BACKLOG ? this.askRoom : noop)
    if (got) return got
    if (flags & BACKLOG) {
      this.ask(ROOM)
      return ASK_HOST
    }
    if (flags & REMOTE_CLOSED) throw closedRemote('recv')
    return NOT_YET
  }

  private recvDirect(max: number): OutBytes | typeof NOT_YET {
    const peer = this.peer!
    // The peer's flags first: what it sent before it closed is in its ring by the time CLOSED shows.
    const closed = (peer.flags() & CLOSED) !== 0 || (this.shared.flags() & REMOTE_CLOSED) !== 0
    const got = peer.sent(max, this.tookFromPeer)
    if (got) return got
    if (closed) throw closedRemote('recv')
    return NOT_YET
  }

  private readonly askRoom = (): void => this.ask(ROOM)
  /** The peer may wait for the room this end just made in its ring. */
  private readonly tookFromPeer = (): void => {
    if (this.peer!.woken(WRITE)) this.wakePeer()
  }

  /** The direct peer waits for what this end just did: in this worker it is woken at once, else by the host. */
  private wakePeer(): void {
    const mine = this.vessel.byKey(this.peer!.key())
    if (mine) queueMicrotask(() => this.net.wake(mine.id))
    else this.ask(WAKE_PEER)
  }

  /** Asks the host for work on this connection: a note soon, unless one is on its way already. */
  private ask(bit: number): void {
    if (this.shared.ask(bit) && this.vessel.net.noting()) this.net.noteSoon('tcp.asked')
  }

  /** `tryNow`'s answer, once it has one (the caller's first attempt had none): null means not yet, and the attempt
   *  is made again each time the connection is woken for `bits`. Later, unless the last look before waiting finds
   *  it. */
  private whenReady<T>(bits: number, tryNow: () => T | null): T | Later<T> {
    // Waiting is announced before the last look, so that a change made meanwhile still wakes us.
    this.shared.wait(bits)
    const now = tryNow()
    if (now !== null) return now
    const later = new Later<T>()
    const retry = (): void => {
      try {
        this.shared.wait(bits)
        const r = tryNow()
        if (r === null) this.net.sleep(this.id, retry)
        else later.resolve(r)
      } catch (err) {
        later.reject(err)
      }
    }
    this.net.sleep(this.id, retry)
    return later
  }
}
