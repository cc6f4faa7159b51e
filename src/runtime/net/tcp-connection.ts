// One TCP connection on the sandbox host's main thread: its Node socket, what arrived before the program took it,
// and, once taken, the host's half of the data path through shared rings (tcp-shm.ts): bytes that arrive go into
// the receive ring (what does not fit waits here, with the socket paused), and the send ring is emptied into the
// socket when the worker asks. A connection whose other end is on this host too is direct: the two programs'
// workers read each other's send rings, and the host moves no bytes (its socket carries none). Everything held
// here is bounded per connection and per vessel.
import type net from 'node:net'
import { performance } from 'node:perf_hooks'
import type { RecvBudget } from './recv-budget.js'
import { enterEnd, type LocalEnd } from './local-ends.js'
import { BACKLOG, CLOSED, DRAIN, READ, REMOTE_CLOSED, ROOM, TcpCtl, TcpShared, WRITE } from './tcp-shm.js'

/** A connection the program has not accepted yet buffers at most this much (and less while the vessel's budget
 *  for what it did not ask for, recv-budget.ts, is used up); its socket is paused meanwhile. */
export const QUEUED_RECV_LIMIT = 16 * 1024
/** No more is taken out of a send ring while this much is still queued in Node for the socket. */
export const SEND_HIGH_WATER = 128 * 1024

export interface Connection extends LocalEnd {
  readonly socket: net.Socket
  /** Received bytes held here: all of them until the program takes the connection, then what did not fit. */
  chunks: Buffer[]
  buffered: number
  /** The peer closed (FIN), reset the connection, or the socket failed. */
  remoteClosed: boolean
  identity: string | null
  /** The rings: once the program has the connection (getconnection, or openconnection's own), or earlier for a
   *  direct one. */
  shared: TcpShared | null
  /** The program's handle for it (0 until it has it): wake-ups name it. */
  id: number
  /** Both ends are on this host and read each other's send rings. */
  direct: boolean
  /** It sends nothing more (finish() ran). */
  finished: boolean
  /** Calls on the host waiting for it to change (see changeOf). */
  waiters: Array<() => void>
  /** Waiting for the socket's 'drain' to empty more of the send ring into it. */
  drainPending: boolean
  /** Takes it out of local-ends.ts. */
  leave(): void
}

export interface ConnectionHooks {
  budget: RecvBudget
  /** Tells the vessel's worker that the connection `id` changed (it waited for that). */
  wakeWorker(id: number): void
  /** The bytes held in Node's send buffers may have changed. */
  sendBuffersChanged(): void
}

export interface ConnectionPaths {
  track: (socket: net.Socket, identity: string | null) => Connection
  /** The program takes the connection as `id`: rings are made and what arrived so far moves into them. */
  handover: (c: Connection, id: number) => void
  /** Moves held bytes into the receive ring while it has room. */
  refill: (c: Connection) => void
  /** Empties the send ring into the socket (all of it when `force`, else while Node holds little). */
  drain: (c: Connection, force?: boolean) => void
  /** The connection sends nothing more: its peer, if on this host, is told. */
  finish: (c: Connection) => void
  /** Forgets what the connection held, giving it back to the vessel's budget. */
  drop: (c: Connection) => void
  /** Resolves when the connection changes (data, the end of the stream, its peer linked or closed), or at `deadline`. */
  changeOf: (c: Connection, deadline: number) => Promise<void>
}

export function connectionPaths(hooks: ConnectionHooks): ConnectionPaths {
  const { budget } = hooks
  /** Connections not taken yet, paused for their own limit or the vessel's budget. */
  const paused = new Set<Connection>()
  const resumeWithRoom = (): void => {
    for (const c of paused) {
      if (c.buffered >= QUEUED_RECV_LIMIT / 2 || budget.full) continue
      paused.delete(c)
      if (!c.socket.destroyed) c.socket.resume()
    }
  }

  const changed = (c: Connection): void => {
    const waiters = c.waiters
    c.waiters = []
    for (const w of waiters) w()
    if (c.id !== 0 && c.ctl.woken(READ | WRITE)) hooks.wakeWorker(c.id)
  }

  const receive = (c: Connection, chunk: Buffer): void => {
    const taken = c.chunks.length === 0 ? c.shared!.putReceived(chunk) : 0
    if (taken === chunk.length) return
    c.chunks.push(taken === 0 ? chunk : chunk.subarray(taken))
    c.buffered += chunk.length - taken
    c.ctl.setFlags(BACKLOG)
    c.socket.pause()
  }

  const queue = (c: Connection, chunk: Buffer): void => {
    c.chunks.push(chunk)
    c.buffered += chunk.length
    budget.take(chunk.length)
    if (c.buffered >= QUEUED_RECV_LIMIT || budget.full) {
      c.socket.pause()
      paused.add(c)
    }
  }

  const finish = (c: Connection): void => {
    if (c.finished) return
    c.finished = true
    c.ctl.setFlags(CLOSED)
    c.leave()
    c.peer?.changed()
    // A direct peer's worker may have had its WAITING bits taken by this end's worker, which closed the connection
    // before its request to wake the peer reached the host: woken here, whatever they say.
    c.peer?.wake()
  }

  const refill = (c: Connection): void => {
    c.ctl.take(ROOM)
    const shared = c.shared
    if (!shared || c.id === 0) return
    while (c.chunks.length > 0) {
      const chunk = c.chunks[0]!
      const n = shared.putReceived(chunk)
      c.buffered -= n
      if (n < chunk.length) {
        c.chunks[0] = chunk.subarray(n)
        break
      }
      c.chunks.shift()
    }
    if (c.chunks.length === 0 && c.ctl.flags() & BACKLOG) {
      c.ctl.clearFlags(BACKLOG)
      if (!c.socket.destroyed) c.socket.resume()
    }
    changed(c)
  }

  const drain = (c: Connection, force = false): void => {
    c.ctl.take(DRAIN)
    const shared = c.shared
    if (!shared || c.direct || shared.sendFill() === 0) return
    if (!force && c.socket.writableLength >= SEND_HIGH_WATER) {
      if (!c.drainPending) {
        c.drainPending = true
        c.socket.once('drain', () => {
          c.drainPending = false
          drain(c)
        })
      }
      return
    }
    const bytes = shared.takeSent()
    if (c.socket.writable) c.socket.write(bytes)
    hooks.sendBuffersChanged()
    if (c.ctl.woken(WRITE)) hooks.wakeWorker(c.id)
  }

  return {
    track(socket, identity) {
      const c: Connection = {
        socket,
        chunks: [],
        buffered: 0,
        remoteClosed: false,
        identity,
        shared: null,
        id: 0,
        direct: false,
        finished: false,
        waiters: [],
        drainPending: false,
        ctl: new TcpCtl(),
        peer: null,
        changed: () => changed(c),
        wake: () => {
          if (c.id !== 0) hooks.wakeWorker(c.id)
        },
        rings: () => (c.shared ??= TcpShared.forCtl(c.ctl)),
        leave: () => {},
      }
      c.leave = enterEnd(
        c,
        `${plain(socket.localAddress)}:${socket.localPort}`,
        `${plain(socket.remoteAddress)}:${socket.remotePort}`,
      )
      socket.on('data', (chunk: Buffer) => {
        if (c.id !== 0) receive(c, chunk)
        else queue(c, chunk)
        changed(c)
      })
      const remoteClosed = () => {
        c.remoteClosed = true
        c.ctl.setFlags(REMOTE_CLOSED)
        changed(c)
      }
      socket.on('end', remoteClosed)
      socket.on('error', remoteClosed)
      socket.on('close', () => {
        remoteClosed()
        finish(c)
        hooks.sendBuffersChanged()
      })
      return c
    },

    handover(c, id) {
      c.id = id
      c.rings()
      c.direct = c.peer !== null
      budget.give(c.buffered)
      if (paused.delete(c)) resumeWithRoom()
      if (c.chunks.length > 0) c.ctl.setFlags(BACKLOG)
      refill(c)
      if (c.chunks.length > 0) c.socket.pause()
      else if (!c.socket.destroyed) c.socket.resume()
    },

    refill,
    drain,
    finish,

    drop(c) {
      if (c.id === 0) budget.give(c.buffered)
      c.chunks = []
      c.buffered = 0
      paused.delete(c)
      resumeWithRoom()
    },

    changeOf: (c, deadline) =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))
        c.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      }),
  }
}

/** Node reports IPv4 peers of an IPv4 socket plainly, but strip a mapped prefix just in case. */
export const plain = (address: string | undefined): string => (address ?? '').replace(/^::ffff:/, '')
