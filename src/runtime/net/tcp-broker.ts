// The TCP half of a vessel's broker (main thread): listening servers with their queues of accepted connections,
// and the connections themselves (tcp-connection.ts), whose bytes reach the worker through shared rings.
// Everything buffered here is bounded per socket and per vessel (see buffered()).
import net from 'node:net'
import { performance } from 'node:perf_hooks'
import { RepyError, type RepyErrorName } from '../errors.js'
import type { RecvBudget } from './recv-budget.js'
import { enterConnecting, enterListener, listenedHere, peerConnectingHere } from './local-ends.js'
import { connectionPaths, plain, type Connection } from './tcp-connection.js'
import { ringsClosed } from './ring-collection.js'
import { DRAIN, RING_BYTES, ROOM, VesselNet, WAKE_PEER, type TcpShared } from './tcp-shm.js'

/** What a connection the program has buffers each way: its receive ring, and its send ring (send accepts at most
 *  this much per call, as Repy truncates to its send buffer; none while the ring is full: SocketWouldBlockError). */
export const SEND_WINDOW = RING_BYTES
/** No send is accepted while the vessel's sockets hold this much unsent, closed ones still flushing included. */
export const VESSEL_SEND_LIMIT = 1 << 20
/** Connections waiting for getconnection beyond the listener's backlog (at most this) are closed at once. */
export const ACCEPT_QUEUE_LIMIT = 128
/** Repy retries a recoverable connect failure every 0.2 s until its timeout. */
const RETRY_INTERVAL_MS = 200
const MAX_TIMER_MS = 2 ** 31 - 1
/** The longest openconnection or getconnection waits for the other end on this host to be linked to its own
 *  (local-ends.ts): normally a turn or two of the event loop; past it the connection goes through the sockets. */
const LOCAL_WAIT_MS = 1000

const RECOVERABLE = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR', 'EALREADY', 'EINPROGRESS', 'ETIMEDOUT', 'ENOBUFS'])
const UNREACHABLE = new Set(['ENETUNREACH', 'ENETDOWN', 'EHOSTUNREACH', 'EHOSTDOWN'])

export const fail = (name: RepyErrorName, message: string): never => {
  throw new RepyError(name, message)
}

export const errnoOf = (err: unknown): string => String((err as NodeJS.ErrnoException | undefined)?.code ?? 'error')

export const plainIp = plain

interface Server {
  server: net.Server
  key: string
  leave(): void
  queue: Connection[]
  queueLimit: number
  /** getconnection's awaitable form, waiting for a connection. */
  waiters: Array<() => void>
}

/** What the worker gets with a connection: its id, control words and rings, the vessel's shared words (VesselNet),
 *  and, when the peer is on this host (a direct connection), the peer's control words and rings. */
export type Handover = [
  number,
  SharedArrayBuffer,
  SharedArrayBuffer,
  SharedArrayBuffer,
  SharedArrayBuffer | null,
  SharedArrayBuffer | null,
]

export interface TcpBroker {
  listen(ip: string, port: number, backlog: number): Promise<number>
  connect(destIp: string, destPort: number, localIp: string, localPort: number, timeout: number): Promise<Handover>
  accept(serverId: number): [string, number, ...Handover] | Promise<[string, number, ...Handover]>
  /** Resolves once the server has a connection waiting, or is closed. */
  acceptable(serverId: number): undefined | Promise<undefined>
  /** The worker asks (a blocking call, its receive ring is empty): move what is held back into the ring. */
  refill(id: number): undefined
  /** The worker asks (a blocking call, its send ring is full): empty the send ring into the socket. */
  drain(id: number): undefined
  /** The worker noted that connections asked for work (tcp-shm.ts's ASKED): do it. */
  asked(): undefined
  /** The worker asks: count the vessel's unflushed bytes again. */
  recount(): undefined
  close(id: number): boolean
  closeServer(id: number): boolean
  closeAll(): void
  /** Bytes held on the host for this vessel's TCP sockets: received and unread, and sent but not yet flushed. */
  buffered(): number
}

export function createTcpBroker(nextId: () => number, budget: RecvBudget, wakeWorker: (id: number) => void): TcpBroker {
  const servers = new Map<number, Server>()
  const connections = new Map<number, Connection>()
  const connecting = new Set<net.Socket>()
  /** Closed by the program, still flushing what it sent. */
  const closing = new Set<net.Socket>()
  const pendingIdentities = new Set<string>()
  /** Bytes the vessel sent that Node still holds, for all its sockets. */
  const unflushed = (): number => {
    let bytes = 0
    for (const c of connections.values()) bytes += c.socket.writableLength
    for (const socket of closing) bytes += socket.writableLength
    return bytes
  }
  const vessel = new VesselNet()
  const recount = (): void => vessel.setUnflushed(unflushed())
  const paths = connectionPaths({ budget, wakeWorker, sendBuffersChanged: recount })
  const { track, finish, drop, changeOf } = paths
  const listeningOn = (key: string): boolean => [...servers.values()].some((s) => s.key === key)

  const connection = (id: number): Connection =>
    connections.get(id) ?? fail('SocketClosedLocal', 'the socket is closed')

  /** Makes the connection the program's, as `id`. */
  const handover = (c: Connection): Handover => {
    const id = nextId()
    connections.set(id, c)
    paths.handover(c, id)
    const shared = c.shared as TcpShared
    const peer = c.direct ? c.peer!.rings().shm : null
    return [id, shared.shm.ctl, shared.shm.data, vessel.sab, peer?.ctl ?? null, peer?.data ?? null]
  }

  /** Waits until the connection's peer on this host has been linked to it (or it closed, or the deadline). */
  const linked = async (c: Connection): Promise<void> => {
    const deadline = performance.now() + LOCAL_WAIT_MS
    while (c.peer === null && !c.remoteClosed && performance.now() < deadline) await changeOf(c, deadline)
  }

  const attempt = (destIp: string, destPort: number, localIp: string, localPort: number, deadline: number) =>
    new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: destIp, port: destPort, localAddress: localIp, localPort })
      const leave = enterConnecting(`${localIp}:${localPort}`, `${destIp}:${destPort}`)
      connecting.add(socket)
      const timer = setTimeout(
        () => {
          connecting.delete(socket)
          leave()
          socket.destroy()
          reject(new RepyError('TimeoutError', `openconnection: timed out connecting to ${destIp}:${destPort}`))
        },
        Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now())),
      )
      const done = () => {
        clearTimeout(timer)
        connecting.delete(socket)
        leave()
      }
      socket.once('connect', () => {
        done()
        socket.removeAllListeners('error')
        resolve(socket)
      })
      socket.once('error', (err) => {
        done()
        socket.destroy()
        reject(err)
      })
    })

  const connectError = (
    err: unknown,
    destIp: string,
    destPort: number,
    localIp: string,
    localPort: number,
  ): RepyError => {
    if (err instanceof RepyError) return err
    const code = errnoOf(err)
    const atBind = (err as NodeJS.ErrnoException).syscall === 'bind'
    const where = `openconnection from ${localIp}:${localPort} to ${destIp}:${destPort}`
    if (code === 'ECONNREFUSED' || code === 'ECONNABORTED')
      return new RepyError('ConnectionRefusedError', `${where}: the connection was refused`)
    if (UNREACHABLE.has(code))
      return new RepyError('InternetConnectivityError', `${where}: the network cannot be reached (${code})`)
    if (code === 'EADDRINUSE') {
      return atBind
        ? new RepyError('DuplicateTupleError', `${where}: the local address is in use`)
        : new RepyError('CleanupInProgressError', `${where}: the connection is still being cleaned up by the OS`)
    }
    if (code === 'EADDRNOTAVAIL') {
      return atBind
        ? new RepyError('AddressBindingError', `${where}: cannot bind to the local IP`)
        : new RepyError('CleanupInProgressError', `${where}: the connection is still being cleaned up by the OS`)
    }
    return new RepyError('InternetConnectivityError', `${where}: ${code}`)
  }

  const wakeServer = (entry: Server): void => {
    const waiters = entry.waiters
    entry.waiters = []
    for (const w of waiters) w()
  }

  function closeServer(id: number): boolean {
    const entry = servers.get(id)
    if (!entry) return false
    servers.delete(id)
    entry.leave()
    entry.server.close()
    for (const c of entry.queue) {
      c.socket.destroy()
      finish(c)
      drop(c)
    }
    entry.queue = []
    wakeServer(entry)
    return true
  }

  const takeConnection = (entry: Server): [string, number, ...Handover] => {
    const c = entry.queue.shift() ?? fail('SocketWouldBlockError', 'getconnection: no connection is waiting')
    return [plainIp(c.socket.remoteAddress), c.socket.remotePort ?? 0, ...handover(c)]
  }

  return {
    async listen(ip, port, backlog) {
      const key = `${ip}:${port}`
      if (listeningOn(key)) fail('AlreadyListeningError', `listenforconnection: already listening on ${key}`)
      const server = net.createServer()
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ host: ip, port, backlog, exclusive: true }, () => {
          server.removeListener('error', reject)
          resolve()
        })
      }).catch((err: unknown) => {
        const code = errnoOf(err)
        if (code === 'EADDRINUSE') fail('DuplicateTupleError', `listenforconnection: ${key} is already in use`)
        if (code === 'EADDRNOTAVAIL') fail('AddressBindingError', `listenforconnection: cannot bind to ${ip}`)
        fail('AddressBindingError', `listenforconnection: cannot listen on ${key} (${code})`)
      })
      const entry: Server = {
        server,
        key,
        leave: enterListener(key),
        queue: [],
        queueLimit: Math.max(1, Math.min(backlog, ACCEPT_QUEUE_LIMIT)),
        waiters: [],
      }
      server.on('error', () => {})
      server.on('connection', (socket) => {
        if (entry.queue.length >= entry.queueLimit) {
          socket.destroy()
          return
        }
        entry.queue.push(track(socket, null))
        wakeServer(entry)
      })
      const id = nextId()
      servers.set(id, entry)
      return id
    },

    async connect(destIp, destPort, localIp, localPort, timeout) {
      const identity = `${localIp}:${localPort}>${destIp}:${destPort}`
      const duplicate =
        pendingIdentities.has(identity) || [...connections.values()].some((c) => c.identity === identity)
      if (duplicate) fail('DuplicateTupleError', `openconnection: a connection ${identity} already exists`)
      if (listeningOn(`${localIp}:${localPort}`))
        fail('AlreadyListeningError', `openconnection: listening on ${localIp}:${localPort}`)
      pendingIdentities.add(identity)
      const deadline = Date.now() + timeout * 1000
      try {
        for (;;) {
          try {
            const socket = await attempt(destIp, destPort, localIp, localPort, deadline)
            const c = track(socket, identity)
            // A listener of this host: getconnection must find the connection once openconnection has returned,
            // and the peer's control words go to the worker with it.
            if (listenedHere(`${destIp}:${destPort}`)) await linked(c)
            return handover(c)
          } catch (err) {
            const recoverable = !(err instanceof RepyError) && RECOVERABLE.has(errnoOf(err))
            if (!recoverable || Date.now() + RETRY_INTERVAL_MS >= deadline) {
              throw recoverable
                ? new RepyError('TimeoutError', `openconnection: timed out connecting to ${destIp}:${destPort}`)
                : connectError(err, destIp, destPort, localIp, localPort)
            }
            await new Promise((r) => setTimeout(r, RETRY_INTERVAL_MS))
          }
        }
      } finally {
        pendingIdentities.delete(identity)
      }
    },

    accept(serverId) {
      const entry = servers.get(serverId) ?? fail('SocketClosedLocal', 'getconnection: the server socket is closed')
      const c = entry.queue[0]
      // Its other end is being made on this host: link the two first, so that the worker gets the peer's control words.
      if (
        c &&
        c.peer === null &&
        peerConnectingHere(
          `${plainIp(c.socket.localAddress)}:${c.socket.localPort}`,
          `${plainIp(c.socket.remoteAddress)}:${c.socket.remotePort}`,
        )
      ) {
        return linked(c).then(() => takeConnection(entry))
      }
      return takeConnection(entry)
    },

    acceptable(serverId) {
      const entry = servers.get(serverId)
      if (!entry || entry.queue.length > 0) return undefined
      return new Promise((resolve) => entry.waiters.push(() => resolve(undefined)))
    },

    refill(id) {
      paths.refill(connection(id))
      return undefined
    },

    drain(id) {
      const c = connections.get(id)
      if (c) paths.drain(c)
      return undefined
    },

    asked() {
      vessel.noted()
      for (const c of connections.values()) {
        const asked = c.ctl.asked()
        if (asked & DRAIN) paths.drain(c)
        if (asked & ROOM) paths.refill(c)
        if (asked & WAKE_PEER) {
          c.ctl.take(WAKE_PEER)
          c.peer?.wake()
        }
      }
      return undefined
    },

    recount() {
      recount()
      return undefined
    },

    close(id) {
      const c = connections.get(id)
      if (!c) return false
      connections.delete(id)
      ringsClosed()
      // Like Repy's shutdown-then-close: what was sent still goes out, then the socket is gone.
      paths.drain(c, true)
      finish(c)
      drop(c)
      // A socket whose peer ended it first may be closed already: its 'close' is not emitted again, and kept in
      // `closing` it held its connection (and the rings) until the vessel ended.
      if (!c.socket.closed) {
        closing.add(c.socket)
        c.socket.once('close', () => {
          closing.delete(c.socket)
          recount()
        })
      }
      c.socket.destroySoon()
      recount()
      return true
    },

    closeServer,

    buffered() {
      let bytes = unflushed()
      for (const c of connections.values()) bytes += c.shared!.recvFill() + c.shared!.sendFill()
      for (const c of [...connections.values(), ...[...servers.values()].flatMap((s) => s.queue)]) {
        bytes += c.buffered + c.socket.readableLength
      }
      return bytes
    },

    closeAll() {
      for (const id of [...servers.keys()]) closeServer(id)
      for (const socket of [...connecting, ...closing]) socket.destroy()
      for (const c of connections.values()) {
        c.socket.destroy()
        finish(c)
        drop(c)
      }
      connecting.clear()
      closing.clear()
      connections.clear()
    },
  }
}
