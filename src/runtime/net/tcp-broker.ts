// The TCP half of a vessel's broker (main thread): listening servers with their queues of accepted connections,
// and connections with a bounded receive buffer each, so that a non-blocking `recv` returns what has arrived.
// Everything buffered here is bounded per socket and per vessel (see buffered()).
import net from 'node:net'
import { performance } from 'node:perf_hooks'
import { RepyError, type RepyErrorName } from '../errors.js'
import type { RecvBudget } from './recv-budget.js'
import { enterEnd, enterListener, inFlight, listenedHere, peerFinished, type LocalEnd } from './local-ends.js'

/** Per-connection receive buffer: the Node socket is paused when this much is waiting, resumed once below half... */
export const RECV_BUFFER_LIMIT = 64 * 1024
/** ...and for a connection the program has not accepted yet, which is also paused while the vessel's budget for
 *  what it did not ask for (recv-budget.ts) is used up. */
export const QUEUED_RECV_LIMIT = 16 * 1024
/** `send` accepts at most this much per call (Repy truncates to its send buffer)... */
export const SEND_WINDOW = 64 * 1024
/** ...and none while this much is still queued in Node for the socket (SocketWouldBlockError)... */
export const SEND_HIGH_WATER = 128 * 1024
/** ...or this much for all of the vessel's sockets, those closed but still flushing included. */
export const VESSEL_SEND_LIMIT = 1 << 20
/** Connections waiting for getconnection beyond the listener's backlog (at most this) are closed at once. */
export const ACCEPT_QUEUE_LIMIT = 128
/** Repy retries a recoverable connect failure every 0.2 s until its timeout. */
const RETRY_INTERVAL_MS = 200
/** The longest a call waits for what a peer on this host has already done to reach this side (local-ends.ts):
 *  normally a turn or two of the event loop; past it the call answers as if nothing were on its way. */
const LOCAL_WAIT_MS = 1000
const MAX_TIMER_MS = 2 ** 31 - 1

const RECOVERABLE = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR', 'EALREADY', 'EINPROGRESS', 'ETIMEDOUT', 'ENOBUFS'])
const UNREACHABLE = new Set(['ENETUNREACH', 'ENETDOWN', 'EHOSTUNREACH', 'EHOSTDOWN'])

export const fail = (name: RepyErrorName, message: string): never => {
  throw new RepyError(name, message)
}

export const errnoOf = (err: unknown): string => String((err as NodeJS.ErrnoException | undefined)?.code ?? 'error')

/** Node reports IPv4 peers of an IPv4 socket plainly, but strip a mapped prefix just in case. */
export const plainIp = (address: string | undefined): string => (address ?? '').replace(/^::ffff:/, '')

interface Connection extends LocalEnd {
  socket: net.Socket
  chunks: Buffer[]
  buffered: number
  /** The peer closed (FIN), reset the connection, or the socket failed. */
  remoteClosed: boolean
  identity: string | null
  /** Taken by getconnection (or made by openconnection): may buffer RECV_BUFFER_LIMIT instead of QUEUED_RECV_LIMIT. */
  accepted: boolean
  /** Calls waiting for the connection to change (see changeOf). */
  waiters: Array<() => void>
  /** Takes the connection out of local-ends.ts. */
  leave(): void
}

interface Server {
  server: net.Server
  key: string
  leave(): void
  queue: Connection[]
  queueLimit: number
}

export interface TcpBroker {
  listen(ip: string, port: number, backlog: number): Promise<number>
  connect(destIp: string, destPort: number, localIp: string, localPort: number, timeout: number): Promise<number>
  accept(serverId: number): [string, number, number]
  send(id: number, data: string): number
  recv(id: number, max: number): string | Promise<string>
  close(id: number): boolean
  closeServer(id: number): boolean
  closeAll(): void
  /** Bytes held on the host for this vessel's TCP sockets: received and unread, and sent but not yet flushed. */
  buffered(): number
}

export function createTcpBroker(nextId: () => number, budget: RecvBudget): TcpBroker {
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
  const listeningOn = (key: string): boolean => [...servers.values()].some((s) => s.key === key)

  const paused = new Set<Connection>()
  const recvLimit = (c: Connection): number => (c.accepted ? RECV_BUFFER_LIMIT : QUEUED_RECV_LIMIT)
  const unsolicited = (c: Connection): boolean => !c.accepted
  /** Resumes the paused connections that have room again. */
  const resumeWithRoom = (): void => {
    for (const c of paused) {
      if (c.buffered >= recvLimit(c) / 2 || (unsolicited(c) && budget.full)) continue
      paused.delete(c)
      if (!c.socket.destroyed) c.socket.resume()
    }
  }
  /** Forgets what the connection buffered, giving it back to the vessel's budget. */
  const drop = (c: Connection): void => {
    if (unsolicited(c)) budget.give(c.buffered)
    c.chunks = []
    c.buffered = 0
    paused.delete(c)
    resumeWithRoom()
  }

  const wake = (c: Connection): void => {
    const waiters = c.waiters
    c.waiters = []
    for (const w of waiters) w()
  }
  /** Resolves when the connection changes (data, the end of the stream, its peer linked or closed), or at the deadline. */
  const changeOf = (c: Connection, deadline: number): Promise<void> => new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))
    c.waiters.push(() => { clearTimeout(timer); resolve() })
  })
  /** The connection sends nothing more: its peer, if on this host, is told. */
  const finish = (c: Connection): void => {
    if (c.closed) return
    c.closed = true
    c.leave()
    c.peer?.changed()
  }

  const track = (socket: net.Socket, identity: string | null, accepted: boolean): Connection => {
    const c: Connection = {
      socket, chunks: [], buffered: 0, remoteClosed: false, identity, accepted,
      sent: 0, received: 0, closed: false, peer: null, waiters: [], changed: () => wake(c), leave: () => {},
    }
    c.leave = enterEnd(c, `${plainIp(socket.localAddress)}:${socket.localPort}`, `${plainIp(socket.remoteAddress)}:${socket.remotePort}`)
    socket.on('data', (chunk: Buffer) => {
      c.chunks.push(chunk)
      c.buffered += chunk.length
      c.received += chunk.length
      if (unsolicited(c)) budget.take(chunk.length)
      if (c.buffered >= recvLimit(c) || (unsolicited(c) && budget.full)) {
        socket.pause()
        paused.add(c)
      }
      wake(c)
    })
    const remoteClosed = () => { c.remoteClosed = true; wake(c) }
    socket.on('end', remoteClosed)
    socket.on('error', remoteClosed)
    socket.on('close', () => { remoteClosed(); finish(c) })
    return c
  }

  const connection = (id: number): Connection =>
    connections.get(id) ?? fail('SocketClosedLocal', 'the socket is closed')

  const attempt = (destIp: string, destPort: number, localIp: string, localPort: number, deadline: number) =>
    new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: destIp, port: destPort, localAddress: localIp, localPort })
      connecting.add(socket)
      const timer = setTimeout(() => {
        connecting.delete(socket)
        socket.destroy()
        reject(new RepyError('TimeoutError', `openconnection: timed out connecting to ${destIp}:${destPort}`))
      }, Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now())))
      const done = () => { clearTimeout(timer); connecting.delete(socket) }
      socket.once('connect', () => { done(); socket.removeAllListeners('error'); resolve(socket) })
      socket.once('error', (err) => { done(); socket.destroy(); reject(err) })
    })

  const connectError = (err: unknown, destIp: string, destPort: number, localIp: string, localPort: number): RepyError => {
    if (err instanceof RepyError) return err
    const code = errnoOf(err)
    const atBind = (err as NodeJS.ErrnoException).syscall === 'bind'
    const where = `openconnection from ${localIp}:${localPort} to ${destIp}:${destPort}`
    if (code === 'ECONNREFUSED' || code === 'ECONNABORTED') return new RepyError('ConnectionRefusedError', `${where}: the connection was refused`)
    if (UNREACHABLE.has(code)) return new RepyError('InternetConnectivityError', `${where}: the network cannot be reached (${code})`)
    if (code === 'EADDRINUSE') {
      return atBind ? new RepyError('DuplicateTupleError', `${where}: the local address is in use`)
        : new RepyError('CleanupInProgressError', `${where}: the connection is still being cleaned up by the OS`)
    }
    if (code === 'EADDRNOTAVAIL') {
      return atBind ? new RepyError('AddressBindingError', `${where}: cannot bind to the local IP`)
        : new RepyError('CleanupInProgressError', `${where}: the connection is still being cleaned up by the OS`)
    }
    return new RepyError('InternetConnectivityError', `${where}: ${code}`)
  }

  /** Up to max bytes of what has arrived. When nothing has, what a peer on this host already sent or its close
   *  is waited for (until the deadline), as Repy's recv would see it on loopback. */
  const recvBy = (id: number, max: number, deadline: number): string | Promise<string> => {
    const c = connection(id)
    if (c.buffered === 0) {
      if (c.remoteClosed || peerFinished(c)) fail('SocketClosedRemote', 'recv: the peer closed the connection')
      if (inFlight(c) === 0 || performance.now() >= deadline) fail('SocketWouldBlockError', 'recv: no data has arrived')
      return changeOf(c, deadline).then(() => recvBy(id, max, deadline))
    }
    const parts: Buffer[] = []
    let taken = 0
    while (taken < max && c.chunks.length > 0) {
      const chunk = c.chunks[0]!
      const n = Math.min(chunk.length, max - taken)
      parts.push(chunk.subarray(0, n))
      if (n === chunk.length) c.chunks.shift()
      else c.chunks[0] = chunk.subarray(n)
      taken += n
    }
    c.buffered -= taken
    resumeWithRoom()
    return Buffer.concat(parts, taken).toString('latin1')
  }

  /** Waits until a connection to a listener of this host has been taken in by it (or is closed, or the deadline). */
  const linked = async (c: Connection): Promise<void> => {
    const deadline = performance.now() + LOCAL_WAIT_MS
    while (c.peer === null && !c.remoteClosed && performance.now() < deadline) await changeOf(c, deadline)
  }

  function closeServer(id: number): boolean {
    const entry = servers.get(id)
    if (!entry) return false
    servers.delete(id)
    entry.leave()
    entry.server.close()
    for (const c of entry.queue) { c.socket.destroy(); finish(c); drop(c) }
    entry.queue = []
    return true
  }

  return {
    async listen(ip, port, backlog) {
      const key = `${ip}:${port}`
      if (listeningOn(key)) fail('AlreadyListeningError', `listenforconnection: already listening on ${key}`)
      const server = net.createServer()
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ host: ip, port, backlog, exclusive: true }, () => { server.removeListener('error', reject); resolve() })
      }).catch((err: unknown) => {
        const code = errnoOf(err)
        if (code === 'EADDRINUSE') fail('DuplicateTupleError', `listenforconnection: ${key} is already in use`)
        if (code === 'EADDRNOTAVAIL') fail('AddressBindingError', `listenforconnection: cannot bind to ${ip}`)
        fail('AddressBindingError', `listenforconnection: cannot listen on ${key} (${code})`)
      })
      const entry: Server = { server, key, leave: enterListener(key), queue: [], queueLimit: Math.max(1, Math.min(backlog, ACCEPT_QUEUE_LIMIT)) }
      server.on('error', () => {})
      server.on('connection', (socket) => {
        if (entry.queue.length >= entry.queueLimit) socket.destroy()
        else entry.queue.push(track(socket, null, false))
      })
      const id = nextId()
      servers.set(id, entry)
      return id
    },

    async connect(destIp, destPort, localIp, localPort, timeout) {
      const identity = `${localIp}:${localPort}>${destIp}:${destPort}`
      const duplicate = pendingIdentities.has(identity) || [...connections.values()].some((c) => c.identity === identity)
      if (duplicate) fail('DuplicateTupleError', `openconnection: a connection ${identity} already exists`)
      if (listeningOn(`${localIp}:${localPort}`)) fail('AlreadyListeningError', `openconnection: listening on ${localIp}:${localPort}`)
      pendingIdentities.add(identity)
      const deadline = Date.now() + timeout * 1000
      try {
        for (;;) {
          try {
            const socket = await attempt(destIp, destPort, localIp, localPort, deadline)
            const id = nextId()
            const c = track(socket, identity, true)
            connections.set(id, c)
            // A listener of this host: getconnection must find the connection once openconnection has returned.
            if (listenedHere(`${destIp}:${destPort}`)) await linked(c)
            return id
          } catch (err) {
            const recoverable = !(err instanceof RepyError) && RECOVERABLE.has(errnoOf(err))
            if (!recoverable || Date.now() + RETRY_INTERVAL_MS >= deadline) {
              throw recoverable ? new RepyError('TimeoutError', `openconnection: timed out connecting to ${destIp}:${destPort}`)
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
      const c = entry.queue.shift() ?? fail('SocketWouldBlockError', 'getconnection: no connection is waiting')
      const id = nextId()
      budget.give(c.buffered)
      c.accepted = true
      connections.set(id, c)
      resumeWithRoom()
      return [plainIp(c.socket.remoteAddress), c.socket.remotePort ?? 0, id]
    },

    send(id, data) {
      const c = connection(id)
      if (c.remoteClosed || c.peer?.closed || c.socket.destroyed || !c.socket.writable) fail('SocketClosedRemote', 'send: the peer closed the connection')
      if (data.length === 0) return 0
      if (c.socket.writableLength >= SEND_HIGH_WATER || unflushed() >= VESSEL_SEND_LIMIT) {
        fail('SocketWouldBlockError', 'send: the send buffer is full')
      }
      const n = Math.min(data.length, SEND_WINDOW)
      c.socket.write(Buffer.from(data.slice(0, n), 'latin1'))
      c.sent += n
      return n
    },

    recv: (id, max) => recvBy(id, max, performance.now() + LOCAL_WAIT_MS),


    close(id) {
      const c = connections.get(id)
      if (!c) return false
      connections.delete(id)
      finish(c)
      drop(c)
      // Like Repy's shutdown-then-close: what was sent still goes out, then the socket is gone.
      closing.add(c.socket)
      c.socket.once('close', () => closing.delete(c.socket))
      c.socket.destroySoon()
      return true
    },

    closeServer,

    buffered() {
      let bytes = unflushed()
      for (const c of [...connections.values(), ...[...servers.values()].flatMap((s) => s.queue)]) {
        bytes += c.buffered + c.socket.readableLength
      }
      return bytes
    },

    closeAll() {
      for (const id of [...servers.keys()]) closeServer(id)
      for (const socket of [...connecting, ...closing]) socket.destroy()
      for (const c of connections.values()) { c.socket.destroy(); finish(c); drop(c) }
      connecting.clear()
      closing.clear()
      connections.clear()
    },
  }
}
